"""PHQ-9: Patient Health Questionnaire, depression module (CLINICAL.md s4, s5)."""

from clinical.instruments.model import (
    Band,
    Flag,
    Instrument,
    InstrumentCodes,
    Item,
    ItemFlag,
    loinc,
    scale,
)

FREQUENCY = scale(("never", "some days", "over half the days", "nearly daily"))
DIFFICULTY = scale(("none", "some", "a lot", "extreme"))

_LABELS = (
    "Loss of interest",
    "Low mood",
    "Sleep problems",
    "Tiredness",
    "Appetite change",
    "Feeling a failure",
    "Poor concentration",
    "Slowed or restless",
    "Thoughts of death or self-harm",
)
_CODES = {9: loinc("44260-8", "PHQ-9 item 9")}

PHQ9 = Instrument(
    id="phq9",
    name="Patient Health Questionnaire-9 (PHQ-9)",
    version="1",
    source="CLINICAL.md s4 (PHQ-9 row); Kroenke, Spitzer & Williams 2001",
    items=tuple(
        Item(id=f"phq9-{n}", label=label, options=FREQUENCY, code=_CODES.get(n))
        for n, label in enumerate(_LABELS, start=1)
    )
    # Item 10 (difficulty): recorded, never summed, optional (CLINICAL.md s4).
    + (Item("phq9-10", "Difficulty functioning", DIFFICULTY, scored=False, required=False),),
    codes=InstrumentCodes(
        panel=loinc("44249-1", "PHQ-9 panel"),
        total=loinc("44261-6", "PHQ-9 total score"),
    ),
    # Bands 0-4, 5-9, 10-14, 15-19, 20-27 (CLINICAL.md s4).
    bands=(
        Band(0, 4, "minimal"),
        Band(5, 9, "mild"),
        Band(10, 14, "moderate"),
        Band(15, 19, "moderately severe"),
        Band(20, 27, "severe"),
    ),
    # Item 9 > 0 raises a suicide-risk alert whatever the total (CLINICAL.md s4).
    item_flags=(ItemFlag("phq9-9", 1, Flag.SUICIDE_RISK),),
    notes="Input: 9 values, or 10 with item 10 (difficulty) last; item 10 may be blank.",
)
