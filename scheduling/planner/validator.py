"""Check a plan against every rule of the instance, independently of the solver's own time axis.

Plain Python over aware date-times: it shares only the parsed Instance with the model, so a modelling
mistake in the solver shows up here as a named problem.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from .instance import Instance, Request
from .plan import PlannedSession, local_iso


@dataclass(frozen=True)
class _Held:
    """What one session holds: its chair and nurse over [start, end), in UTC."""

    what: str
    planned: bool
    chair: str
    nurse: str
    start: datetime
    end: datetime


def _clock(moment: datetime, day0: datetime) -> int:
    """Minutes from local midnight of the moment's own date, counting past midnight as 24:00 and beyond."""
    days = (moment.date() - day0.date()).days
    return days * 1440 + moment.hour * 60 + moment.minute


def _place_problems(inst: Instance, req: Request, s: PlannedSession) -> list[str]:
    """Problems with one session's place in time: calendar, opening hours, shift and patient window."""
    name, tz = f"{s.request}#{s.n} at {local_iso(s.start.astimezone(inst.tz))}", inst.tz
    start = s.start.astimezone(tz)
    end = (s.start.astimezone(UTC) + timedelta(minutes=inst.session_minutes(req))).astimezone(tz)
    day = (start.date() - inst.start).days
    start_min, end_min = start.hour * 60 + start.minute, _clock(end, start)
    problems = []
    if start.second or start.microsecond or start_min % inst.slot_minutes:
        problems.append(f"{name}: start is not on the {inst.slot_minutes}-minute grid")
    if not 0 <= day < inst.days:
        return [*problems, f"{name}: outside the planning horizon"]
    if day in inst.closed_days:
        problems.append(f"{name}: the clinic is closed on day {day}")
    if day < req.release_day:
        problems.append(f"{name}: before the request's release day {req.release_day}")
    if start_min < inst.open_min or end_min > inst.close_min:
        problems.append(f"{name}: outside opening hours (ends {local_iso(end)})")
    nurse = next((n for n in inst.nurses if n.id == s.nurse), None)
    if nurse and not any(sh.day == day and sh.start_min <= start_min and end_min <= sh.end_min
                         for sh in nurse.shifts):
        problems.append(f"{name}: not inside one shift of nurse {s.nurse}")
    if req.availability is not None and not any(
            w.weekday == start.weekday() and w.start_min <= start_min and end_min <= w.end_min
            for w in req.availability):
        problems.append(f"{name}: outside the patient's availability windows")
    if s.n == 1 and req.earliest_start and start < req.earliest_start:
        problems.append(f"{name}: before the request's earliest start")
    return problems


def _course_problems(inst: Instance, req: Request, sessions: list[PlannedSession]) -> list[str]:
    """Problems across one request's sessions: whole course, order, spacing and span."""
    numbers = sorted(s.n for s in sessions)
    if numbers != list(range(1, req.infusions + 1)):
        return [f"{req.id}: sessions {numbers} are not exactly 1..{req.infusions} (whole request or nothing)"]
    ordered = sorted(sessions, key=lambda s: s.n)
    gap, length = timedelta(minutes=req.min_gap_minutes), timedelta(minutes=inst.session_minutes(req))
    problems = []
    for before, after in zip(ordered, ordered[1:], strict=False):
        elapsed = after.start.astimezone(UTC) - before.start.astimezone(UTC)
        if elapsed < gap:
            problems.append(f"{req.id}: infusions {before.n} and {after.n} start {elapsed} apart, less than {gap}")
        if elapsed < length:
            problems.append(f"{req.id}: infusion {after.n} starts before infusion {before.n} ends")
    first = req.span_from or ordered[0].start
    span = ordered[-1].start.astimezone(UTC) - first.astimezone(UTC)
    if span > timedelta(days=req.max_span_days):
        problems.append(f"{req.id}: first to last infusion spans {span}, more than {req.max_span_days} days")
    return problems


def _held(inst: Instance, sessions: list[PlannedSession]) -> list[_Held]:
    held = [_Held(f"{s.request}#{s.n}", True, s.chair, s.nurse, s.start.astimezone(UTC),
                  s.start.astimezone(UTC) + timedelta(minutes=inst.session_minutes(inst.request(s.request))))
            for s in sessions]
    held += [_Held(f"booked {b.label or i}", False, b.chair, b.nurse, b.start.astimezone(UTC),
                   b.start.astimezone(UTC) + timedelta(minutes=b.minutes)) for i, b in enumerate(inst.booked)]
    return held


def _overlaps(spans: list[tuple[datetime, datetime, str, bool]], what: str) -> list[str]:
    """Pairs of half-open spans that overlap, where at least one is planned (old double bookings are not the plan's)."""
    spans = sorted(s for s in spans if s[1] > s[0])
    problems = []
    for i, (_lo, hi, name, planned) in enumerate(spans):
        for lo2, _hi2, name2, planned2 in spans[i + 1:]:
            if lo2 >= hi:
                break
            if planned or planned2:
                problems.append(f"{what}: {name} and {name2} overlap")
    return problems


def _peak(spans: list[tuple[datetime, datetime, bool]]) -> int:
    """The most spans open at once while a planned one is open; an end sorts before a start at the same instant."""
    events = sorted([(s, 1, p) for s, _, p in spans] + [(e, -1, p) for _, e, p in spans])
    peak = count = planned = 0
    for _, step, is_planned in events:
        count += step
        planned += step if is_planned else 0
        if planned > 0:
            peak = max(peak, count)
    return peak


def _resource_problems(inst: Instance, held: list[_Held]) -> list[str]:
    turnover = timedelta(minutes=inst.turnover_minutes)
    setup, discharge = timedelta(minutes=inst.setup_minutes), timedelta(minutes=inst.discharge_minutes)
    by_chair, by_nurse = defaultdict(list), defaultdict(list)
    for h in held:
        by_chair[h.chair].append(h)
        by_nurse[h.nurse].append(h)
    problems = []
    for chair, items in by_chair.items():
        problems += _overlaps([(h.start, h.end + turnover, h.what, h.planned) for h in items], f"chair {chair}")
    for nurse, items in by_nurse.items():
        if not nurse:
            continue
        if (peak := _peak([(h.start, h.end, h.planned) for h in items])) > inst.ratio:
            problems.append(f"nurse {nurse}: {peak} patients at once, ratio is {inst.ratio}")
        exclusive = [(h.start, h.start + setup, f"set-up of {h.what}", h.planned) for h in items]
        exclusive += [(h.end - discharge, h.end, f"discharge of {h.what}", h.planned) for h in items]
        problems += _overlaps(exclusive, f"nurse {nurse}")
    return problems


def validate_plan(inst: Instance, sessions: list[PlannedSession] | tuple[PlannedSession, ...]) -> list[str]:
    """Every broken rule of the plan, as readable sentences; an empty list means the plan is valid."""
    requests = {r.id: r for r in inst.requests}
    problems, by_request, seen = [], defaultdict(list), set()
    for s in sessions:
        if s.request not in requests:
            problems.append(f"{s.request}#{s.n}: unknown request")
            continue
        if (s.request, s.n) in seen:
            problems.append(f"{s.request}#{s.n}: planned twice")
        seen.add((s.request, s.n))
        if s.chair not in inst.chairs:
            problems.append(f"{s.request}#{s.n}: unknown chair {s.chair}")
        if s.nurse not in {n.id for n in inst.nurses}:
            problems.append(f"{s.request}#{s.n}: unknown nurse {s.nurse}")
        problems += _place_problems(inst, requests[s.request], s)
        by_request[s.request].append(s)
    for request_id, items in by_request.items():
        problems += _course_problems(inst, requests[request_id], items)
    known = [s for s in sessions if s.request in requests]
    return problems + _resource_problems(inst, _held(inst, known))
