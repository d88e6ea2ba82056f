"""CAPS-5, past-month version: clinician-rated severities (CLINICAL.md s4)."""

from clinical.instruments.definitions.dsm5 import (
    SYMPTOM_LABELS,
    cluster_rule,
    cluster_subscales,
)
from clinical.instruments.model import (
    YES_NO,
    Instrument,
    InstrumentCodes,
    Item,
    Output,
    local_code,
    scale,
)

SEVERITY = scale(("absent", "mild", "moderate", "severe", "extreme"))

_SYMPTOMS = tuple(
    Item(id=f"caps5-{n}", label=label, options=SEVERITY) for n, label in enumerate(SYMPTOM_LABELS, start=1)
)
# Criteria F (duration > 1 month) and G (distress or impairment): yes/no,
# required for the diagnosis, never summed (CLINICAL.md s4, CAPS-5 row).
_CRITERIA = (
    Item(id="caps5-F", label="Lasted over 1 month", options=YES_NO, scored=False),
    Item(id="caps5-G", label="Distress or impairment", options=YES_NO, scored=False),
)

CAPS5 = Instrument(
    id="caps5",
    name="Clinician-Administered PTSD Scale for DSM-5 (CAPS-5), past month",
    version="1",
    source="CLINICAL.md s4 (CAPS-5 row); CAPS-5 manual (National Center for PTSD)",
    items=_SYMPTOMS + _CRITERIA,
    codes=InstrumentCodes(
        panel=local_code("caps5", "CAPS-5 past month panel"),
        total=local_code("caps5-total", "CAPS-5 total severity score"),
    ),
    subscales=cluster_subscales("caps5"),
    cluster_rule=cluster_rule(also_yes=("caps5-F", "caps5-G")),
    outputs=(Output.DIAGNOSIS,),
    notes="No LOINC code in CLINICAL.md s5: local codes. Input: 20 severities, then F, G as 1/0.",
)
