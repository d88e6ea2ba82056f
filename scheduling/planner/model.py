"""The CP-SAT model: a pure function from an Instance to a Plan (OR-Tools, no Django, no clock inside).

Per request one presence literal (whole course or nothing). Per session a start in slot units whose domain
is the opening hours, closed days, release day and patient windows; per chair an optional interval (one
`NoOverlap` per chair); per nurse an optional interval in a cumulative of capacity `ratio` and optional
set-up and discharge intervals in one `NoOverlap`. Spacing and span are precedences with gaps.
Objective: most requests scheduled, then least total wait in days from release to the first infusion.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from .instance import Instance, Request
from .kpis import first_waits_days
from .plan import Plan, PlannedSession
from .timeline import Range, Timeline, clip, intersect, merge


@dataclass
class _Course:
    req: Request
    present: cp_model.IntVar
    starts: list[cp_model.IntVar] = field(default_factory=list)  # in slots
    chairs: list[dict[str, cp_model.IntVar]] = field(default_factory=list)
    nurses: list[dict[str, cp_model.IntVar]] = field(default_factory=list)
    wait_days: cp_model.IntVar | None = None
    day: cp_model.IntVar | None = None


def _built(var: cp_model.IntVar | None) -> cp_model.IntVar:
    """A course variable that `add_request` has created (every course has its day and wait once added)."""
    if var is None:
        raise ValueError("the course's variables are made by add_request before the model is finished")
    return var


def _union(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(spans):
        if out and lo < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def _load(spans: list[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """The step function of how many spans are open, as (from, to, count) pieces with count > 0."""
    events = sorted([(lo, 1) for lo, _ in spans] + [(hi, -1) for _, hi in spans])
    out, count, since = [], 0, None
    for at, step in events:
        if since is not None and at > since and count > 0:
            out.append((since, at, count))
        count, since = count + step, at
    return out


def _domain(ranges: list[Range], slot: int) -> cp_model.Domain:
    return cp_model.Domain.from_intervals([[lo // slot, hi // slot] for lo, hi in ranges])


class _Builder:
    def __init__(self, inst: Instance) -> None:
        self.inst, self.tl, self.m = inst, Timeline(inst), cp_model.CpModel()
        self.slot = inst.slot_minutes
        self.chair_iv: dict[str, list] = {c: [] for c in inst.chairs}
        self.all_chair_iv: list = []
        self.nurse_iv: dict[str, list] = {n.id: [] for n in inst.nurses}
        self.nurse_excl: dict[str, list] = {n.id: [] for n in inst.nurses}
        self.courses: list[_Course] = []
        self.unplaceable: list[str] = []
        self._lowest: dict[int, int] = {}  # each start variable's smallest value, to hint absent courses

    def _hold(self, chair: str | None, nurse: str, start, minutes: int, present, tag: str) -> None:
        """Intervals of one (session, nurse) or (session, chair) choice; chair None means the nurse part."""
        m, inst = self.m, self.inst
        if chair is not None:
            self.chair_iv[chair].append(m.new_optional_fixed_size_interval_var(
                start, minutes + inst.turnover_minutes, present, f"c{tag}"))
            return
        self.nurse_iv[nurse].append((m.new_optional_fixed_size_interval_var(start, minutes, present, f"n{tag}"), 1))
        if inst.setup_minutes:
            self.nurse_excl[nurse].append(m.new_optional_fixed_size_interval_var(
                start, inst.setup_minutes, present, f"s{tag}"))
        if inst.discharge_minutes:
            self.nurse_excl[nurse].append(m.new_optional_fixed_size_interval_var(
                start + minutes - inst.discharge_minutes, inst.discharge_minutes, present, f"d{tag}"))

    def add_booked(self) -> None:
        """Hold booked sessions as fixed intervals; conflicts among bookings themselves are not the plan's to fix.

        Overlapping holds of one chair (or one nurse's set-ups and discharges) are merged into their union, and a
        nurse's booked load is clipped at the ratio, so old double bookings block new sessions without making
        the model infeasible.
        """
        inst, m = self.inst, self.m
        chair_spans: defaultdict[str, list[tuple[int, int]]] = defaultdict(list)
        nurse_spans: defaultdict[str, list[tuple[int, int]]] = defaultdict(list)
        exclusive: defaultdict[str, list[tuple[int, int]]] = defaultdict(list)
        for b in inst.booked:
            start = self.tl.to_axis(b.start)
            chair_spans[b.chair].append((start, start + b.minutes + inst.turnover_minutes))
            if b.nurse:
                nurse_spans[b.nurse].append((start, start + b.minutes))
                exclusive[b.nurse] += [(start, start + inst.setup_minutes),
                                       (start + b.minutes - inst.discharge_minutes, start + b.minutes)]
        for chair, spans in chair_spans.items():
            for i, (lo, hi) in enumerate(_union(spans)):
                self.chair_iv[chair].append(m.new_fixed_size_interval_var(lo, hi - lo, f"b{chair}_{i}"))
                self.all_chair_iv.append(m.new_fixed_size_interval_var(lo, hi - lo, f"ba{chair}_{i}"))
        for nurse, spans in nurse_spans.items():
            for i, (lo, hi, load) in enumerate(_load(spans)):
                self.nurse_iv[nurse].append((m.new_fixed_size_interval_var(lo, hi - lo, f"bn{nurse}_{i}"),
                                             min(load, inst.ratio)))
        for nurse, spans in exclusive.items():
            for i, (lo, hi) in enumerate(_union([sp for sp in spans if sp[1] > sp[0]])):
                self.nurse_excl[nurse].append(m.new_fixed_size_interval_var(lo, hi - lo, f"bx{nurse}_{i}"))

    def add_request(self, req: Request) -> None:
        inst, tl, m, slot = self.inst, self.tl, self.m, self.slot
        minutes = inst.session_minutes(req)
        base = tl.request_ranges(req)
        by_nurse = {n.id: r for n in inst.nurses if (r := intersect(base, tl.nurse_ranges(n, minutes)))}
        allowed = merge([r for ranges in by_nurse.values() for r in ranges], slot)
        first_allowed = clip(allowed, tl.to_axis(req.earliest_start), slot) if req.earliest_start else allowed
        if not first_allowed:
            self.unplaceable.append(req.id)
            return
        course = _Course(req, m.new_bool_var(f"x{req.id}"))
        for n in range(req.infusions):
            tag = f"{req.id}_{n}"
            ranges = first_allowed if n == 0 else allowed
            k = m.new_int_var_from_domain(_domain(ranges, slot), f"k{tag}")
            self._lowest[k.index] = ranges[0][0] // slot
            start = k * slot
            course.starts.append(k)
            chairs = {c: m.new_bool_var(f"l{tag}_{c}") for c in inst.chairs}
            for c, lit in chairs.items():
                self._hold(c, "", start, minutes, lit, f"{tag}_{c}")
            m.add(sum(chairs.values()) == course.present)
            self.all_chair_iv.append(m.new_optional_fixed_size_interval_var(
                start, minutes + inst.turnover_minutes, course.present, f"a{tag}"))
            nurses = {nurse: m.new_bool_var(f"u{tag}_{nurse}") for nurse in by_nurse}
            for nurse, lit in nurses.items():
                m.add_linear_expression_in_domain(k, _domain(by_nurse[nurse], slot)).only_enforce_if(lit)
                self._hold(None, nurse, start, minutes, lit, f"{tag}_{nurse}")
            m.add(sum(nurses.values()) == course.present)
            course.chairs.append(chairs)
            course.nurses.append(nurses)
        self._precedences(course, minutes)
        self.courses.append(course)

    def _precedences(self, course: _Course, minutes: int) -> None:
        m, req, slot, on = self.m, course.req, self.slot, course.present
        gap = max(req.min_gap_minutes, minutes)
        for before, after in zip(course.starts, course.starts[1:], strict=False):
            m.add(after * slot >= before * slot + gap).only_enforce_if(on)
        m.add((course.starts[-1] - course.starts[0]) * slot <= req.max_span_days * 1440).only_enforce_if(on)
        if req.span_from:
            span_end = self.tl.to_axis(req.span_from) + req.max_span_days * 1440
            m.add(course.starts[-1] * slot <= span_end).only_enforce_if(on)
        course.day = day = m.new_int_var(0, self.inst.days, f"day{req.id}")
        m.add_division_equality(day, course.starts[0] * slot, 1440)
        course.wait_days = m.new_int_var(0, self.inst.days, f"w{req.id}")
        m.add(course.wait_days == day - req.release_day).only_enforce_if(on)
        m.add(course.wait_days == 0).only_enforce_if(~on)

    def finish(self) -> None:
        m, inst = self.m, self.inst
        for intervals in self.chair_iv.values():
            m.add_no_overlap(intervals)
        m.add_cumulative(self.all_chair_iv, [1] * len(self.all_chair_iv), len(inst.chairs))  # redundant, prunes
        for nurse in self.nurse_iv:
            m.add_cumulative([iv for iv, _ in self.nurse_iv[nurse]], [d for _, d in self.nurse_iv[nurse]], inst.ratio)
            m.add_no_overlap(self.nurse_excl[nurse])
        big = inst.days * max(1, len(self.courses)) + 1
        m.maximize(sum(big * c.present - _built(c.wait_days) for c in self.courses))

    def hint(self, plan: Plan) -> None:
        """Start the search from a known valid plan (the greedy one): every variable hinted, so CP-SAT takes it."""
        placed = {(s.request, s.n): s for s in plan.sessions}
        for course in self.courses:
            on = (course.req.id, 1) in placed
            self.m.add_hint(course.present, on)
            starts = []
            for n, k in enumerate(course.starts):
                s = placed.get((course.req.id, n + 1)) if on else None
                value = self.tl.to_axis(s.start) // self.slot if s else self._lowest[k.index]
                starts.append(value)
                self.m.add_hint(k, value)
                for c, lit in course.chairs[n].items():
                    self.m.add_hint(lit, s is not None and c == s.chair)
                for nurse, lit in course.nurses[n].items():
                    self.m.add_hint(lit, s is not None and nurse == s.nurse)
            first_day = starts[0] * self.slot // 1440
            self.m.add_hint(_built(course.day), first_day)
            self.m.add_hint(_built(course.wait_days), first_day - course.req.release_day if on else 0)

    def read(self, solver: cp_model.CpSolver) -> tuple[list[PlannedSession], list[str]]:
        sessions, unscheduled = [], list(self.unplaceable)
        for course in self.courses:
            if not solver.boolean_value(course.present):
                unscheduled.append(course.req.id)
                continue
            for n, k in enumerate(course.starts):
                chair = next(c for c, lit in course.chairs[n].items() if solver.boolean_value(lit))
                nurse = next(x for x, lit in course.nurses[n].items() if solver.boolean_value(lit))
                sessions.append(PlannedSession(course.req.id, n + 1, chair, nurse,
                                               self.tl.to_local(solver.value(k) * self.slot)))
        return sessions, unscheduled


def score_plan(inst: Instance, plan: Plan) -> tuple[int, int]:
    """The objective, lexicographic: requests scheduled, then minus the total wait in days."""
    waits = first_waits_days(inst, plan)
    return len(waits), -sum(waits.values())


DEBUG = False
_STATUS = {cp_model.OPTIMAL: "optimal", cp_model.FEASIBLE: "feasible"}


def solve_instance(inst: Instance, *, seconds: float = 10.0, workers: int = 8, seed: int = 1,
                   hint: Plan | None = None) -> Plan:
    """Plan the instance with CP-SAT within `seconds`; with a hint, never return worse than the hint."""
    began = time.perf_counter()
    b = _Builder(inst)
    b.add_booked()
    for req in inst.requests:
        b.add_request(req)
    b.finish()
    if hint is not None:
        b.hint(hint)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    solver.parameters.cp_model_probing_level = 0  # probing alone spent the whole limit on 60-course models
    solver.parameters.keep_all_feasible_solutions_in_presolve = hint is not None  # so the hint stays a solution
    solver.parameters.log_search_progress = DEBUG
    status = solver.solve(b.m)
    if DEBUG:
        print("objective", solver.objective_value, "bound", solver.best_objective_bound, solver.response_stats()[:600])
    if status in _STATUS:
        sessions, unscheduled = b.read(solver)
        plan = Plan(_STATUS[status], tuple(sessions), tuple(unscheduled), time.perf_counter() - began)
        if hint is None or score_plan(inst, plan) >= score_plan(inst, hint):
            return plan
    if hint is not None and (status in _STATUS or status == cp_model.UNKNOWN):
        return Plan("feasible", hint.sessions, hint.unscheduled, time.perf_counter() - began,
                    ("the solver found nothing better in time; the starting plan is returned",))
    return Plan("infeasible", (), tuple(r.id for r in inst.requests), time.perf_counter() - began)
