"""The outcome report over plain rows: the reference the analytics engine is held to.

Issue 11 names every key and CLINICAL.md s4 every definition. This module is
a plain loop per course, kept small and obvious on purpose: the engine
(outcomes/engine.py) computes the same report in DuckDB at scale, and the
tests assert both give the same figures on the same rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from clinical.errors import ClinicalError
from clinical.outcomes_rules import (
    CLUSTERS,
    FOLLOW_UPS,
    PCL5,
    SECONDARY_RULES,
    STATUSES,
    TRAJECTORY_POINTS,
    AssessmentRow,
    CourseFacts,
    CourseRow,
    InfusionRow,
    InstrumentRule,
    bp_surge,
    course_facts,
    has_follow_up,
    ordered,
    pcl5_rule,
)
from clinical.outcomes_stats import TimeCount, kaplan_meier, mean_ci_of, proportion

CUTPOINT_RANGE = (31, 33)  # PCL-5 cut-point: Policy within 31-33 (CLINICAL.md s4)


@dataclass(frozen=True)
class ReportDefinitions:
    """The definitions in force (the clinic's Policy values, named on every report)."""

    response_pct: int = 30
    response_points: int | None = 10
    remission_cutpoint: int = 33
    min_n: int = 10
    surge_sbp_mmhg: int = 180
    surge_dbp_mmhg: int = 110

    def __post_init__(self) -> None:
        if not 0 < self.response_pct <= 100:
            raise ClinicalError("--response-pct must be between 1 and 100.")
        if self.response_points is not None and not 0 < self.response_points <= 80:
            raise ClinicalError("--response-points must be between 1 and 80, or none.")
        low, high = CUTPOINT_RANGE
        if not low <= self.remission_cutpoint <= high:
            raise ClinicalError(f"--remission-cutpoint must be from {low} to {high}.")
        if self.min_n < 1:
            raise ClinicalError("The minimum n to compare must be at least 1.")

    @property
    def rule(self) -> InstrumentRule:
        return pcl5_rule(self.response_pct, self.response_points, self.remission_cutpoint)

    def as_dict(self) -> dict[str, Any]:
        points = f" or a drop of >= {self.response_points} points" if self.response_points else ""
        return {
            "instrument": PCL5, "response_pct": self.response_pct, "response_points": self.response_points,
            "remission_cutpoint": self.remission_cutpoint, "min_n": self.min_n,
            "bp_surge": {"sbp": self.surge_sbp_mmhg, "dbp": self.surge_dbp_mmhg},
            "text": (f"Response: PCL-5 reduction from baseline >= {self.response_pct}%{points}, at the "
                     f"end-of-course assessment. Remission: PCL-5 below {self.remission_cutpoint} at the end "
                     f"of course, among courses whose baseline was at or above it. ITT: every course not active "
                     f"with a baseline (a missing end-of-course value is a non-response); completers: completed "
                     f"courses with an end-of-course value. Durability: Kaplan-Meier from the last infusion."),
        }


def _by_course(rows: Iterable[Any]) -> dict[tuple[str, str], list[Any]]:
    grouped: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for row in rows:
        grouped[(row.clinic, row.course)].append(row)
    return grouped


def _times(pairs: Iterable[tuple[int, bool] | None]) -> list[TimeCount]:
    return [TimeCount(days, event) for days, event in (p for p in pairs if p is not None)]


def _response_block(facts: Sequence[CourseFacts], min_n: int) -> dict[str, Any]:
    itt = [f for f in facts if f.in_itt]
    done = [f for f in facts if f.in_completers]
    return {"itt": proportion(sum(f.responder for f in itt), len(itt), min_n),
            "completers": proportion(sum(f.responder for f in done), len(done), min_n)}


def _remission_block(facts: Sequence[CourseFacts], min_n: int) -> dict[str, Any]:
    itt = [f for f in facts if f.in_itt and f.remission_eligible]
    done = [f for f in facts if f.in_completers and f.remission_eligible]
    return {"itt": proportion(sum(f.remitted for f in itt), len(itt), min_n),
            "completers": proportion(sum(f.remitted for f in done), len(done), min_n)}


def _with_both(facts: Sequence[CourseFacts]) -> list[CourseFacts]:
    return [f for f in facts if f.baseline is not None and f.end_of_course is not None]


def _change(facts: Sequence[CourseFacts], attr: str, min_n: int) -> dict[str, Any]:
    values = []
    for f in _with_both(facts):
        end, base = getattr(f.end_of_course, attr), getattr(f.baseline, attr)
        if end is not None and base is not None:
            values.append(float(end - base))
    return mean_ci_of(values, min_n)


def instrument_block(courses: Sequence[CourseRow], grouped: dict[tuple[str, str], list[AssessmentRow]],
                     rule: InstrumentRule, min_n: int) -> tuple[list[CourseFacts], dict[str, Any]]:
    """Response, remission and change of one instrument."""
    facts = [course_facts(c, grouped.get((c.clinic, c.course), []), rule) for c in courses]
    return facts, {"response_end_of_course": _response_block(facts, min_n),
                   "remission_end_of_course": _remission_block(facts, min_n),
                   "change_end_of_course": _change(facts, "total", min_n)}


def _safety(infusions: Sequence[InfusionRow], defs: ReportDefinitions) -> dict[str, Any]:
    n = len(infusions)

    def per_100(count: int) -> float | None:
        return round(count * 100 / n, 6) if n else None

    cadss = [float(i.peak_cadss) for i in infusions if i.peak_cadss is not None]
    surges = [i for i in infusions if bp_surge(i, defs.surge_sbp_mmhg, defs.surge_dbp_mmhg)]
    sbp = [float(i.peak_sbp - i.baseline_sbp) for i in infusions if i.peak_sbp is not None and i.baseline_sbp is not None]
    dbp = [float(i.peak_dbp - i.baseline_dbp) for i in infusions if i.peak_dbp is not None and i.baseline_dbp is not None]
    return {
        "infusions": n,
        "bp_surge_per_100": per_100(sum(bp_surge(i, defs.surge_sbp_mmhg, defs.surge_dbp_mmhg) for i in infusions)),
        "ae_per_100": per_100(sum(i.ae_count for i in infusions)),
        "serious_ae_per_100": per_100(sum(i.ae_serious for i in infusions)),
        "stopped_early_per_100": per_100(sum(i.stopped_early for i in infusions)),
        "transferred_per_100": per_100(sum(i.transferred for i in infusions)),
        "paused_per_100": per_100(sum(i.paused for i in infusions)),
        "mean_peak_cadss": round(sum(cadss) / len(cadss), 6) if cadss else None,
        # Beside the Yale figures (CLINICAL.md s3): mean rise, and surges within the first three infusions.
        "sbp_rise": mean_ci_of(sbp), "dbp_rise": mean_ci_of(dbp),
        "surges_in_first_three": proportion(sum(i.n <= 3 for i in surges), len(surges), defs.min_n),
    }


def _trajectory(facts: Sequence[CourseFacts], grouped: dict[tuple[str, str], list[AssessmentRow]],
                min_n: int) -> dict[str, Any]:
    """Mean PCL-5 at each point: the course baseline, then the first assessment at each later point."""
    values: dict[str, list[float]] = {p: [] for p in TRAJECTORY_POINTS}
    for f in facts:
        if f.baseline is not None:
            values[TRAJECTORY_POINTS[0]].append(float(f.baseline.total))
        seen: set[str] = set()
        for a in ordered(r for r in grouped.get((f.course.clinic, f.course.course), []) if r.instrument == PCL5):
            if a.point in values and a.point != TRAJECTORY_POINTS[0] and a.point not in seen:
                seen.add(a.point)
                values[a.point].append(float(a.total))
    return {p: mean_ci_of(v, min_n) for p, v in values.items()}


def pool(datasets: Iterable[tuple[Sequence[CourseRow], Sequence[AssessmentRow], Sequence[InfusionRow]]]
         ) -> tuple[list[CourseRow], list[AssessmentRow], list[InfusionRow]]:
    """Concatenate several exports' rows; courses stay apart by (clinic, course)."""
    courses: list[CourseRow] = []
    assessments: list[AssessmentRow] = []
    infusions: list[InfusionRow] = []
    for c, a, i in datasets:
        courses += c
        assessments += a
        infusions += i
    return courses, assessments, infusions


def build_report(courses: Sequence[CourseRow], assessments: Sequence[AssessmentRow],
                 infusions: Sequence[InfusionRow], defs: ReportDefinitions) -> dict[str, Any]:
    """The whole report (issue 11 keys) over the given rows."""
    grouped = _by_course(assessments)
    facts, pcl5 = instrument_block(courses, grouped, defs.rule, defs.min_n)
    completed = [c for c in courses if c.status == "completed"]
    secondary = {}
    for rule in SECONDARY_RULES:  # where recorded: some course has a baseline of that instrument
        rule_facts, block = instrument_block(courses, grouped, rule, defs.min_n)
        if any(f.baseline is not None for f in rule_facts):
            secondary[rule.instrument] = block
    return {
        "definitions": defs.as_dict(),
        "courses": {"started": len(courses), **{s: sum(c.status == s for c in courses) for s in STATUSES}},
        **pcl5,
        "clusters_end_of_course": {x.upper(): _change(facts, x, defs.min_n) for x in CLUSTERS},
        "change_24h": mean_ci_of([float(f.post_24h.total - f.baseline.total) for f in facts
                                  if f.baseline is not None and f.post_24h is not None], defs.min_n),
        "durability": kaplan_meier(_times(f.durability for f in facts), defs.min_n),
        "time_to_first_response": kaplan_meier(_times(f.first_response for f in facts), defs.min_n),
        "safety": _safety(infusions, defs),
        "followup_completeness": {
            p: proportion(sum(has_follow_up(grouped.get((c.clinic, c.course), []), p) for c in completed),
                          len(completed), defs.min_n) for p in FOLLOW_UPS},
        "trajectory_pcl5": _trajectory(facts, grouped, defs.min_n),
        "secondary": secondary,
    }
