"""IES-R: Impact of Event Scale - Revised (CLINICAL.md s4, s5)."""

from clinical.instruments.model import (
    Aggregate,
    Instrument,
    InstrumentCodes,
    Item,
    Subscale,
    local_code,
    loinc,
    scale,
)

DISTRESS = scale(("none", "slight", "moderate", "marked", "extreme"))

_LABELS = (
    "Reminders stir feelings",
    "Waking in the night",
    "Thoughts keep returning",
    "Irritable or angry",
    "Avoids getting upset",
    "Unbidden thoughts",
    "Feels unreal",
    "Avoids reminders",
    "Images pop up",
    "Jumpy, easily startled",
    "Pushes thoughts away",
    "Feelings left unaddressed",
    "Emotionally numb",
    "Reliving the event",
    "Trouble falling asleep",
    "Waves of feeling",
    "Tries to forget it",
    "Poor concentration",
    "Body reactions to reminders",
    "Bad dreams",
    "On guard",
    "Avoids talking about it",
)

# The authors' key (CLINICAL.md s4): item 14 belongs to intrusion, not hyperarousal.
_SUBSCALES = {
    "intrusion": (1, 2, 3, 6, 9, 14, 16, 20),
    "avoidance": (5, 7, 8, 11, 12, 13, 17, 22),
    "hyperarousal": (4, 10, 15, 18, 19, 21),
}

IESR = Instrument(
    id="iesr",
    name="Impact of Event Scale - Revised (IES-R)",
    version="1",
    source="CLINICAL.md s4 (IES-R row); Weiss & Marmar 1997",
    items=tuple(
        Item(id=f"iesr-{n}", label=label, options=DISTRESS) for n, label in enumerate(_LABELS, start=1)
    ),
    codes=InstrumentCodes(
        panel=loinc("100232-8", "IES-R panel"),
        # No LOINC for the IES-R total (CLINICAL.md s5): local code.
        total=local_code("iesr-total", "IES-R total score"),
    ),
    # Subscales as means; with missing items, means of the answered items (CLINICAL.md s4).
    subscales=tuple(
        Subscale(name, name, tuple(f"iesr-{n}" for n in numbers), Aggregate.MEAN)
        for name, numbers in _SUBSCALES.items()
    ),
    notes="Total (sum) only when all 22 are answered; total_mean and subscale means "
    "use the answered items (Policy: see docs/instruments.md).",
)
