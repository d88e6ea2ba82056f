"""MADRS: Montgomery-Asberg Depression Rating Scale, clinician-rated (CLINICAL.md s4)."""

from clinical.instruments.model import Band, Instrument, InstrumentCodes, Item, local_code, scale

SEVERITY = scale(("absent", "slight", "mild", "mild to marked", "marked", "marked to extreme", "extreme"))

_LABELS = (
    "Observed sadness",
    "Reported sadness",
    "Inner tension",
    "Less sleep",
    "Less appetite",
    "Concentration trouble",
    "Slow to start tasks",
    "Unable to feel",
    "Pessimism",
    "Suicidal thoughts",
)

MADRS = Instrument(
    id="madrs",
    name="Montgomery-Asberg Depression Rating Scale (MADRS)",
    version="1",
    source="CLINICAL.md s4 (MADRS row); Montgomery & Asberg 1979",
    items=tuple(
        Item(id=f"madrs-{n}", label=label, options=SEVERITY) for n, label in enumerate(_LABELS, start=1)
    ),
    # No LOINC code found (CLINICAL.md s5): local codes.
    codes=InstrumentCodes(
        panel=local_code("madrs", "MADRS panel"),
        total=local_code("madrs-total", "MADRS total score"),
    ),
    # Bands 0-6, 7-19, 20-34, 35-60 (CLINICAL.md s4).
    bands=(
        Band(0, 6, "normal"),
        Band(7, 19, "mild"),
        Band(20, 34, "moderate"),
        Band(35, 60, "severe"),
    ),
)
