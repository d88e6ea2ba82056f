"""GAD-7: Generalized Anxiety Disorder 7-item scale (CLINICAL.md s4, s5)."""

from clinical.instruments.model import Band, Instrument, InstrumentCodes, Item, loinc, scale

FREQUENCY = scale(("never", "some days", "over half the days", "nearly daily"))

_LABELS = (
    "Nervousness",
    "Uncontrolled worry",
    "Excess worry",
    "Trouble relaxing",
    "Restlessness",
    "Irritability",
    "Sense of dread",
)

GAD7 = Instrument(
    id="gad7",
    name="Generalized Anxiety Disorder-7 (GAD-7)",
    version="1",
    source="CLINICAL.md s4 (GAD-7 row); Spitzer et al. 2006",
    items=tuple(
        Item(id=f"gad7-{n}", label=label, options=FREQUENCY) for n, label in enumerate(_LABELS, start=1)
    ),
    codes=InstrumentCodes(
        panel=loinc("69737-5", "GAD-7 panel"),
        total=loinc("70274-6", "GAD-7 total score"),
    ),
    # Bands 0-4, 5-9, 10-14, 15-21 (CLINICAL.md s4).
    bands=(
        Band(0, 4, "minimal"),
        Band(5, 9, "mild"),
        Band(10, 14, "moderate"),
        Band(15, 21, "severe"),
    ),
)
