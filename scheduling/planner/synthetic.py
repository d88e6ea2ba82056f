"""Seeded synthetic instances (as decoded JSON) for the tests and the benchmark: no real patient in them."""

from __future__ import annotations

import random
from datetime import date, timedelta

_WINDOWS = (
    None,  # any time the clinic is open
    [(0, "08:00", "13:00"), (2, "08:00", "13:00"), (4, "08:00", "13:00")],  # Mon/Wed/Fri mornings
    [(1, "12:00", "18:00"), (3, "12:00", "18:00"), (4, "12:00", "18:00")],
    [(d, "10:00", "16:00") for d in range(5)],
    [(0, "08:00", "18:00"), (1, "08:00", "18:00"), (3, "08:00", "18:00"), (4, "08:00", "18:00")],
)
_SHIFTS = (("08:00", "16:30"), ("09:30", "18:00"), ("08:00", "18:00"))


def synthetic_instance(*, seed: int, chairs: int, nurses: int, requests: int, days: int = 28,
                       start: str = "2027-03-01", release_days: int = 10, open_: str = "08:00",
                       close: str = "18:00") -> dict:
    """A congested clinic: weekends closed, nurses on varied shifts with a day off, courses of 6 released early.

    The default start puts the spring clock change (2027-03-14, America/New_York) inside the horizon.
    """
    rng = random.Random(seed)  # noqa: S311 - seeded synthetic data, not security
    first = date.fromisoformat(start)
    closed = [d for d in range(days) if (first + timedelta(days=d)).weekday() >= 5]
    nurse_rows = []
    for i in range(nurses):
        day_off = rng.randrange(5)
        shifts = [{"day": d, "start": s, "end": e} for d in range(days) if d not in closed
                  and (first + timedelta(days=d)).weekday() != day_off
                  for s, e in [_SHIFTS[rng.randrange(len(_SHIFTS))]]]
        nurse_rows.append({"id": f"N{i + 1}", "shifts": shifts})
    request_rows = []
    for i in range(requests):
        row = {"id": f"R{i + 1:03d}", "infusions": 6, "infusion_minutes": rng.choice([40, 40, 45, 60]),
               "recovery_minutes": rng.choice([45, 60, 60]), "min_gap_hours": 44, "max_span_days": 21,
               "release_day": rng.randrange(release_days)}
        windows = _WINDOWS[rng.randrange(len(_WINDOWS))]
        if windows is not None:
            row["availability"] = [{"weekday": w, "start": s, "end": e} for w, s, e in windows]
        request_rows.append(row)
    return {"start": start, "days": days, "tz": "America/New_York", "slot_minutes": 5, "open": open_,
            "close": close, "closed_days": closed, "chairs": [f"C{i + 1}" for i in range(chairs)],
            "nurses": nurse_rows, "ratio": 3, "setup_minutes": 15, "discharge_minutes": 10,
            "requests": request_rows}
