"""PCL-5: PTSD Checklist for DSM-5, past month (CLINICAL.md s4, s5)."""

from clinical.instruments.definitions.dsm5 import (
    SYMPTOM_LABELS,
    cluster_rule,
    cluster_subscales,
)
from clinical.instruments.model import (
    Instrument,
    InstrumentCodes,
    Item,
    Output,
    loinc,
    scale,
)

OPTIONS = scale(("none", "slight", "moderate", "marked", "extreme"))

PCL5 = Instrument(
    id="pcl5",
    name="PTSD Checklist for DSM-5 (PCL-5)",
    version="1",
    source="CLINICAL.md s4 (PCL-5 row); National Center for PTSD PCL-5 scoring guide",
    items=tuple(
        Item(id=f"pcl5-{n}", label=label, options=OPTIONS) for n, label in enumerate(SYMPTOM_LABELS, start=1)
    ),
    codes=InstrumentCodes(
        panel=loinc("101697-1", "PCL-5 panel"),
        total=loinc("101698-9", "PCL-5 total score"),
    ),
    subscales=cluster_subscales("pcl5"),
    cluster_rule=cluster_rule(),
    outputs=(Output.PROVISIONAL_DIAGNOSIS,),
    notes="No severity bands exist; provisional diagnosis by DSM rule and by cut-point, "
    "reported separately, never merged (CLINICAL.md s4).",
)
