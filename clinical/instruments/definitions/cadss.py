"""CADSS: Clinician-Administered Dissociative States Scale, 23 items (CLINICAL.md s3)."""

from clinical.instruments.model import Instrument, InstrumentCodes, Item, local_code, scale

INTENSITY = scale(("none", "slight", "moderate", "considerable", "extreme"))

# Item composition is unconfirmed (CLINICAL.md s3), so items carry neutral
# labels and no subscales; a clinic's FHIR Questionnaire supplies the wording.
CADSS = Instrument(
    id="cadss",
    name="Clinician-Administered Dissociative States Scale (CADSS)",
    version="1",
    source="CLINICAL.md s3 (Dissociation) and s4 (CADSS row): 23 items x 0-4, total 0-92",
    items=tuple(
        Item(id=f"cadss-{n}", label=f"Dissociation item {n}", options=INTENSITY) for n in range(1, 24)
    ),
    # No LOINC code found (CLINICAL.md s5): local codes.
    codes=InstrumentCodes(
        panel=local_code("cadss", "CADSS panel"),
        total=local_code("cadss-total", "CADSS total score"),
    ),
    notes="Item composition unconfirmed: structure kept as data, no subscales, no bands.",
)
