"""One time axis for the planner: real minutes since local midnight of the instance's first day.

Local clock times (opening hours, shifts, windows) are turned into ranges of allowed session starts on this
axis, so spacing and span are measured in elapsed time even across a daylight-saving change.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from .instance import Instance, Nurse, Request

Range = tuple[int, int]  # inclusive first and last allowed start, minutes on the axis


class Timeline:
    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        self.t0 = datetime.combine(instance.start, time(0), instance.tz).astimezone(UTC)

    def local(self, day: int, minute_of_day: int) -> datetime:
        """The aware local date-time at a clock minute of a day of the instance."""
        midnight = datetime.combine(self.instance.start + timedelta(days=day), time(0), self.instance.tz)
        return midnight + timedelta(minutes=minute_of_day)

    def to_axis(self, moment: datetime) -> int:
        return (moment.astimezone(UTC) - self.t0) // timedelta(minutes=1)

    def at(self, day: int, minute_of_day: int) -> int:
        return self.to_axis(self.local(day, minute_of_day))

    def to_local(self, minute: int) -> datetime:
        return (self.t0 + timedelta(minutes=minute)).astimezone(self.instance.tz)

    def day_of(self, minute: int) -> int:
        return (self.to_local(minute).date() - self.instance.start).days

    def _fit(self, day: int, lo_min: int, hi_min: int, duration_min: int) -> Range | None:
        """Allowed starts of a session of duration_min inside clock minutes lo..hi of a day, or None."""
        inst = self.instance
        lo_min, hi_min = max(lo_min, inst.open_min), min(hi_min, inst.close_min)
        slot = inst.slot_minutes
        first = -(-lo_min // slot) * slot
        last = (hi_min - duration_min) // slot * slot
        if last < first:
            return None
        return self.at(day, first), self.at(day, last)

    def open_days(self, from_day: int = 0) -> list[int]:
        return [d for d in range(from_day, self.instance.days) if d not in self.instance.closed_days]

    def request_ranges(self, request: Request) -> list[Range]:
        """Starts allowed by opening hours, closed days, release day and the patient's weekly windows."""
        duration = self.instance.session_minutes(request)
        ranges = []
        for day in self.open_days(request.release_day):
            weekday = (self.instance.start + timedelta(days=day)).weekday()
            windows = ([(w.start_min, w.end_min) for w in request.availability if w.weekday == weekday]
                       if request.availability is not None else [(0, 24 * 60)])
            ranges += [r for lo, hi in windows if (r := self._fit(day, lo, hi, duration))]
        return merge(ranges, self.instance.slot_minutes)

    def nurse_ranges(self, nurse: Nurse, duration_min: int) -> list[Range]:
        """Starts at which a session of duration_min lies inside one shift of the nurse on an open day."""
        ranges = [r for s in nurse.shifts if s.day not in self.instance.closed_days
                  if (r := self._fit(s.day, s.start_min, s.end_min, duration_min))]
        return merge(ranges, self.instance.slot_minutes)


def merge(ranges: list[Range], slot: int) -> list[Range]:
    """Sort ranges and join those that overlap or touch on the slot grid."""
    out: list[Range] = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + slot:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def intersect(a: list[Range], b: list[Range]) -> list[Range]:
    out, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if lo <= hi:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def clip(ranges: list[Range], lo: int, slot: int) -> list[Range]:
    """Keep the starts at or after minute lo (rounded up to the slot grid)."""
    lo = -(-lo // slot) * slot
    return [(max(a, lo), b) for a, b in ranges if b >= lo]
