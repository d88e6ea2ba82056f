"""The outcome report's definitions over plain rows: one course's facts, no statistics.

Every rule is CLINICAL.md section 4 ("Outcome definitions") as issue 11 words it:
days are whole days from the course's first infusion (day 0); response and
remission are judged at the end-of-course assessment, never "at any time";
loss of response is timed from the last infusion. The analytics engine
(outcomes/engine.py) computes the same definitions in SQL; the tests hold
both to these functions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from clinical.errors import ClinicalError

BASELINE, END_OF_COURSE, POST_24H = "baseline", "end_of_course", "post_first_24h"
FOLLOW_UPS = ("follow_1w", "follow_1m", "follow_3m")
TRAJECTORY_POINTS = ("baseline", "post_first_24h", "end_of_course", "follow_1w", "follow_1m", "follow_3m")
STATUSES = ("active", "completed", "stopped")
CLUSTERS = ("b", "c", "d", "e")
PCL5 = "pcl5"
SURVIVAL_DAYS = (28, 56, 84)


@dataclass(frozen=True)
class InstrumentRule:
    """How one instrument defines response and remission (CLINICAL.md s4; Policy defaults)."""

    instrument: str
    response_pct: int
    remission_below: int
    points_drop: int | None = None  # PCL-5 only: a drop of this many points also responds

    def __post_init__(self) -> None:
        if not 0 < self.response_pct <= 100:
            raise ClinicalError("The response reduction must be between 1 and 100 percent.")
        if self.points_drop is not None and self.points_drop < 1:
            raise ClinicalError("The response drop in points must be at least 1.")
        if self.remission_below < 1:
            raise ClinicalError("The remission cut-point must be at least 1.")


def pcl5_rule(response_pct: int = 30, points_drop: int | None = 10, cutpoint: int = 33) -> InstrumentRule:
    """PCL-5: >= 30% or (points criterion on) >= 10 points; remission below the cut-point (CLINICAL.md s4)."""
    return InstrumentRule(PCL5, response_pct, cutpoint, points_drop)


# Secondary instruments (issue 11): their own conventional rules, Policy defaults.
# PHQ-9 and MADRS: response >= 50% reduction; remission = the lowest band of CLINICAL.md s4
# (PHQ-9 0-4 minimal, MADRS 0-6 normal). CAPS-5: Feder 2021's >= 30% (CLINICAL.md s1); remission
# below 23 (Policy: CLINICAL.md gives no CAPS-5 band; the diagnosis needs items an export lacks).
SECONDARY_RULES = (
    InstrumentRule("phq9", 50, 5),
    InstrumentRule("madrs", 50, 7),
    InstrumentRule("caps5", 30, 23),
)


@dataclass(frozen=True)
class CourseRow:
    """One course of the research export (courses.csv)."""

    course: str
    clinic: str
    status: str
    infusions_given: int = 0
    last_infusion_day: int | None = None

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ClinicalError(f"Course {self.course}: status {self.status!r} is not one of {STATUSES}.")


@dataclass(frozen=True)
class AssessmentRow:
    """One scored assessment (assessments.csv); ``seq`` orders a course's assessments in time."""

    course: str
    clinic: str
    instrument: str
    point: str
    day: int
    total: int
    seq: int
    b: int | None = None
    c: int | None = None
    d: int | None = None
    e: int | None = None


@dataclass(frozen=True)
class InfusionRow:
    """One infusion started (infusions.csv); flags are 0/1, ``ae_serious`` counts serious AEs."""

    course: str
    clinic: str
    n: int
    day: int
    baseline_sbp: int | None = None
    baseline_dbp: int | None = None
    peak_sbp: int | None = None
    peak_dbp: int | None = None
    paused: int = 0
    stopped_early: int = 0
    transferred: int = 0
    ae_count: int = 0
    ae_serious: int = 0
    peak_cadss: int | None = None


def responds(baseline: int, value: int, rule: InstrumentRule) -> bool:
    """Reduction >= R% of baseline, or a drop >= P points when that criterion is on (CLINICAL.md s4)."""
    drop = baseline - value
    by_pct = baseline > 0 and drop * 100 >= rule.response_pct * baseline
    by_points = rule.points_drop is not None and drop >= rule.points_drop
    return by_pct or by_points


def ordered(rows: Iterable[AssessmentRow]) -> list[AssessmentRow]:
    """A course's assessments of one instrument in time order."""
    return sorted(rows, key=lambda a: (a.day, a.seq))


def baseline_of(rows: Sequence[AssessmentRow]) -> AssessmentRow | None:
    """The last assessment at the ``baseline`` point (issue 11)."""
    at = [a for a in ordered(rows) if a.point == BASELINE]
    return at[-1] if at else None


def end_of_course_of(rows: Sequence[AssessmentRow]) -> AssessmentRow | None:
    """The first assessment at the ``end_of_course`` point (issue 11)."""
    return next((a for a in ordered(rows) if a.point == END_OF_COURSE), None)


@dataclass(frozen=True)
class CourseFacts:
    """What the report needs of one course and one instrument."""

    course: CourseRow
    baseline: AssessmentRow | None
    end_of_course: AssessmentRow | None
    post_24h: AssessmentRow | None  # the first at ``post_first_24h`` (Feder 2014's 24 h comparison)
    in_itt: bool
    in_completers: bool
    responder: bool  # at end of course; False without an end-of-course value
    remission_eligible: bool  # baseline at or above the cut-point
    remitted: bool
    durability: tuple[int, bool] | None  # (days from the last infusion, event) for ITT responders
    first_response: tuple[int, bool] | None  # (day, event) for courses with a baseline and a later value


def _durability(course: CourseRow, later: Sequence[AssessmentRow], eoc: AssessmentRow,
                base: AssessmentRow, rule: InstrumentRule) -> tuple[int, bool]:
    # Loss of response: first later assessment not meeting response, timed from the last infusion (s4).
    last_infusion = course.last_infusion_day if course.last_infusion_day is not None else 0
    lost = next((a for a in later if not responds(base.total, a.total, rule)), None)
    if lost is not None:
        return lost.day - last_infusion, True
    last = later[-1] if later else eoc
    return last.day - last_infusion, False


def _first_response(rows: Sequence[AssessmentRow], base: AssessmentRow,
                    rule: InstrumentRule) -> tuple[int, bool] | None:
    after = [a for a in rows if a.day > 0]
    if not after:
        return None
    hit = next((a for a in after if responds(base.total, a.total, rule)), None)
    return (hit.day, True) if hit is not None else (after[-1].day, False)


def course_facts(course: CourseRow, rows: Sequence[AssessmentRow], rule: InstrumentRule) -> CourseFacts:
    """Apply the definitions to one course's assessments of ``rule.instrument``."""
    mine = ordered(a for a in rows if a.instrument == rule.instrument)
    base, eoc = baseline_of(mine), end_of_course_of(mine)
    in_itt = course.status != "active" and base is not None
    responder = base is not None and eoc is not None and responds(base.total, eoc.total, rule)
    eligible = base is not None and base.total >= rule.remission_below
    durability = None
    if in_itt and responder and eoc is not None and base is not None:
        # Later: on a day after the end-of-course assessment's (and after day 0).
        later = [a for a in mine if a.day > max(eoc.day, 0)]
        durability = _durability(course, later, eoc, base, rule)
    return CourseFacts(
        course=course, baseline=base, end_of_course=eoc, in_itt=in_itt,
        post_24h=next((a for a in mine if a.point == POST_24H), None),
        in_completers=course.status == "completed" and base is not None and eoc is not None,
        responder=responder, remission_eligible=eligible,
        remitted=eligible and eoc is not None and eoc.total < rule.remission_below,
        durability=durability,
        first_response=_first_response(mine, base, rule) if base is not None else None,
    )


def bp_surge(row: InfusionRow, sbp_at: int = 180, dbp_at: int = 110) -> bool:
    """Peak SBP >= 180 or peak DBP >= 110 (CLINICAL.md s3, hypertensive-urgency cut-offs; Policy)."""
    return (row.peak_sbp is not None and row.peak_sbp >= sbp_at) or (
        row.peak_dbp is not None and row.peak_dbp >= dbp_at)


def has_follow_up(rows: Sequence[AssessmentRow], point: str) -> bool:
    """Whether the course has a PCL-5 at ``point`` (follow-up completeness, CLINICAL.md s4)."""
    return any(a.instrument == PCL5 and a.point == point for a in rows)
