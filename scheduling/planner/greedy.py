"""First come, first served: each request in release order gets its earliest feasible sessions (the baseline)."""

from __future__ import annotations

import time

from .instance import Instance, Request
from .occupancy import Occupancy
from .plan import Plan, PlannedSession
from .timeline import Range, Timeline, clip, intersect, merge


class _Placer:
    def __init__(self, inst: Instance) -> None:
        self.inst, self.tl = inst, Timeline(inst)
        self.occ = Occupancy(inst, self.tl)

    def nurse_ranges(self, req: Request) -> dict[str, list[Range]]:
        base = self.tl.request_ranges(req)
        minutes = self.inst.session_minutes(req)
        table = {n.id: intersect(base, self.tl.nurse_ranges(n, minutes)) for n in self.inst.nurses}
        return {nurse: ranges for nurse, ranges in table.items() if ranges}

    def first_fit(self, allowed: list[Range], by_nurse: dict[str, list[Range]], lo: int, hi: int,
                  minutes: int) -> tuple[int, str, str] | None:
        """The earliest (start, chair, nurse) with lo <= start <= hi that every resource allows."""
        slot = self.inst.slot_minutes
        for a, b in clip(allowed, lo, slot):
            if a > hi:
                return None
            for start in range(a, min(b, hi) + 1, slot):
                found = self._at(start, by_nurse, minutes)
                if found:
                    return (start, *found)
        return None

    def _at(self, start: int, by_nurse: dict[str, list[Range]], minutes: int) -> tuple[str, str] | None:
        chair = next((c for c in self.inst.chairs if self.occ.chair_free(c, start, minutes)), None)
        if chair is None:
            return None
        for nurse, ranges in by_nurse.items():
            if any(a <= start <= b for a, b in ranges) and self.occ.nurse_free(nurse, start, minutes):
                return chair, nurse
        return None

    def place(self, req: Request) -> list[tuple[int, str, str]] | None:
        """Book the request's earliest feasible chain of sessions, or nothing."""
        by_nurse = self.nurse_ranges(req)
        allowed = merge([r for ranges in by_nurse.values() for r in ranges], self.inst.slot_minutes)
        if not allowed:
            return None
        minutes, horizon = self.inst.session_minutes(req), self.tl.at(self.inst.days, 0)
        gap = max(req.min_gap_minutes, minutes)
        span_end = (self.tl.to_axis(req.span_from) + req.max_span_days * 1440) if req.span_from else None
        lo = self.tl.to_axis(req.earliest_start) if req.earliest_start else allowed[0][0]
        while (first := self.first_fit(allowed, by_nurse, lo, horizon, minutes)) is not None:
            chain = self._chain(req, first, allowed, by_nurse, minutes, gap, span_end)
            if chain:
                return chain
            lo = self.tl.at(self.tl.day_of(first[0]) + 1, 0)  # the next day: same-day starts fail alike
        return None

    def _chain(self, req: Request, first: tuple[int, str, str], allowed: list[Range],
               by_nurse: dict[str, list[Range]], minutes: int, gap: int, span_end: int | None):
        last_allowed = first[0] + req.max_span_days * 1440
        if span_end is not None:
            last_allowed = min(last_allowed, span_end)
        if first[0] > last_allowed:
            return None
        chain = [first]
        self.occ.add(first[1], first[2], first[0], minutes)
        while len(chain) < req.infusions:
            nxt = self.first_fit(allowed, by_nurse, chain[-1][0] + gap, last_allowed, minutes)
            if nxt is None:
                for start, chair, nurse in chain:
                    self.occ.remove(chair, nurse, start, minutes)
                return None
            chain.append(nxt)
            self.occ.add(nxt[1], nxt[2], nxt[0], minutes)
        return chain


def plan_greedy(inst: Instance) -> Plan:
    """Plan requests in release order (then id), each at its earliest feasible sessions, whole or not at all."""
    began = time.perf_counter()
    placer = _Placer(inst)
    sessions, unscheduled = [], []
    for req in sorted(inst.requests, key=lambda r: (r.release_day, r.id)):
        chain = placer.place(req)
        if chain is None:
            unscheduled.append(req.id)
            continue
        sessions += [PlannedSession(req.id, n, chair, nurse, placer.tl.to_local(start))
                     for n, (start, chair, nurse) in enumerate(chain, start=1)]
    return Plan("feasible", tuple(sessions), tuple(unscheduled), time.perf_counter() - began)
