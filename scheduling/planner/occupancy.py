"""What chairs and nurses already hold, on the planner's axis, with the checks a new session must pass."""

from __future__ import annotations

from collections import defaultdict

from .instance import Instance
from .timeline import Timeline

_BUCKET = 1440  # sessions are bucketed by axis day, so a check looks at a handful of neighbours only


class Occupancy:
    def __init__(self, instance: Instance, timeline: Timeline) -> None:
        self.inst = instance
        self.chair: dict[str, dict[int, list[tuple[int, int]]]] = defaultdict(lambda: defaultdict(list))
        self.nurse: dict[str, dict[int, list[tuple[int, int]]]] = defaultdict(lambda: defaultdict(list))
        self.exclusive: dict[str, dict[int, list[tuple[int, int]]]] = defaultdict(lambda: defaultdict(list))
        for b in instance.booked:
            self.add(b.chair, b.nurse, timeline.to_axis(b.start), b.minutes)

    @staticmethod
    def _near(table: dict[int, list[tuple[int, int]]], lo: int, hi: int) -> list[tuple[int, int]]:
        out = []
        for bucket in range(lo // _BUCKET - 1, hi // _BUCKET + 2):
            out += [span for span in table.get(bucket, ()) if span[0] < hi and lo < span[1]]
        return out

    def _exclusive_spans(self, start: int, minutes: int) -> list[tuple[int, int]]:
        spans = [(start, start + self.inst.setup_minutes), (start + minutes - self.inst.discharge_minutes,
                                                           start + minutes)]
        return [s for s in spans if s[1] > s[0]]

    def chair_free(self, chair: str, start: int, minutes: int) -> bool:
        return not self._near(self.chair[chair], start, start + minutes + self.inst.turnover_minutes)

    def nurse_free(self, nurse: str, start: int, minutes: int) -> bool:
        """The nurse watches fewer than `ratio` patients throughout, and her set-ups and discharges stay apart."""
        if any(self._near(self.exclusive[nurse], lo, hi) for lo, hi in self._exclusive_spans(start, minutes)):
            return False
        spans = self._near(self.nurse[nurse], start, start + minutes)
        if len(spans) < self.inst.ratio:
            return True
        events = sorted([(max(s, start), 1) for s, _ in spans] + [(e, -1) for _, e in spans])
        count = 0
        for _, step in events:
            count += step
            if count >= self.inst.ratio:
                return False
        return True

    def add(self, chair: str, nurse: str, start: int, minutes: int) -> None:
        bucket = start // _BUCKET
        self.chair[chair][bucket].append((start, start + minutes + self.inst.turnover_minutes))
        if not nurse:
            return
        self.nurse[nurse][bucket].append((start, start + minutes))
        for span in self._exclusive_spans(start, minutes):
            self.exclusive[nurse][bucket].append(span)

    def remove(self, chair: str, nurse: str, start: int, minutes: int) -> None:
        bucket = start // _BUCKET
        self.chair[chair][bucket].remove((start, start + minutes + self.inst.turnover_minutes))
        self.nurse[nurse][bucket].remove((start, start + minutes))
        for span in self._exclusive_spans(start, minutes):
            self.exclusive[nurse][bucket].remove(span)
