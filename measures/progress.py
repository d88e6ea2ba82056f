"""Progress per patient and course: change from baseline, response, remission, loss of response,
the review prompt (kernel `classify_course`), and the SVG charts (kernel `line_chart`, `stacked_bars`).
"""

import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from clinical import charts
from clinical.errors import ClinicalError
from clinical.instruments import INSTRUMENTS, Instrument
from clinical.outcomes import (
    CourseOutcome,
    OutcomeDefinitions,
    PointOutcome,
    ScorePoint,
    classify_course,
    course_baseline,
)

from . import queries
from .choices import TRACKED, short_name
from .policy import futility_outcomes, outcome_definitions, pcl5_cutpoint

CLUSTERS = ("B", "C", "D", "E")


@dataclass
class Row:
    assessment: Any
    outcome: PointOutcome | None = None
    is_baseline: bool = False


@dataclass
class InstrumentProgress:
    instrument: Instrument
    rows: list[Row]
    outcome: CourseOutcome | None
    note: str = ""
    chart_svg: str = ""
    clusters_svg: str = ""

    @property
    def short(self) -> str:
        return short_name(self.instrument.id)

    @property
    def latest(self) -> Row | None:
        return self.rows[-1] if self.rows else None


@dataclass
class CourseProgress:
    course: Any
    infusions: list[tuple[int, datetime]]
    definitions: OutcomeDefinitions
    cutpoint: int
    instruments: list[InstrumentProgress] = field(default_factory=list)
    futility_on: tuple[str, ...] = ("pcl5",)

    @property
    def review_prompts(self) -> list[InstrumentProgress]:
        """Outcome instruments without response after the futility count (PCL-5 and the chosen secondary, never CADSS)."""
        return [i for i in self.instruments
                if i.instrument.id in self.futility_on and i.outcome is not None and i.outcome.review_prompt]


def given_infusions(course: Any) -> list[tuple[int, datetime]]:
    """(number, start) of the infusions that have begun."""
    found = [(s.number, queries.infusion_started_at(s)) for s in queries.live_sessions(course)]
    return [(n, at) for n, at in found if at is not None]


def _classify(instrument: Instrument, complete: list[Any], course: Any, given: list[datetime],
              defs: OutcomeDefinitions) -> tuple[CourseOutcome | None, str]:
    points = [ScorePoint(a.assessed_at, a.total, a.pk) for a in complete]
    booked = [s.scheduled_start for s in queries.live_sessions(course)]
    if not points or not (given or booked):
        return None, "No infusion booked yet: nothing to compare with."
    try:
        baseline = course_baseline(points, given or booked[:1])
        return classify_course(points, baseline, given, defs, instrument.id), ""
    except ClinicalError as exc:
        return None, str(exc)


def instrument_progress(instrument: Instrument, assessments: list[Any], course: Any,
                        infusions: list[tuple[int, datetime]], defs: OutcomeDefinitions,
                        cutpoint: int) -> InstrumentProgress:
    complete = [a for a in assessments if a.total is not None]
    outcome, note = _classify(instrument, complete, course, [t for _, t in infusions], defs)
    by_pk = {p.index: p for p in outcome.points} if outcome else {}
    base_pk = outcome.baseline.index if outcome else None
    rows = [Row(a, by_pk.get(a.pk), a.pk == base_pk) for a in assessments]
    progress = InstrumentProgress(instrument, rows, outcome, note)
    tz = zoneinfo.ZoneInfo(course.clinic.time_zone)
    if complete:
        progress.chart_svg = line_svg(instrument, complete, infusions, outcome, cutpoint, tz)
    if instrument.id == "pcl5" and complete:
        progress.clusters_svg = clusters_svg(complete, tz)
    return progress


def course_progress(course: Any) -> CourseProgress:
    """Classify every tracked instrument of the course and draw its charts."""
    defs, cut = outcome_definitions(course.clinic), pcl5_cutpoint(course.clinic)
    result = CourseProgress(course, given_infusions(course), defs, cut, futility_on=futility_outcomes(course.clinic))
    assessments = list(course.assessments.order_by("assessed_at", "pk"))
    for instrument_id in TRACKED:
        mine = [a for a in assessments if a.instrument == instrument_id]
        if mine:
            result.instruments.append(instrument_progress(INSTRUMENTS[instrument_id], mine, course,
                                                          result.infusions, defs, cut))
    return result


def patient_progress(patient: Any) -> list[CourseProgress]:
    """Progress of each of the patient's courses, newest first."""
    courses = patient.courses.select_related("clinic", "protocol").prefetch_related("sessions").order_by("-ordered_at")
    return [course_progress(c) for c in courses]


def _local(at: datetime, tz: zoneinfo.ZoneInfo) -> datetime:
    return timezone.localtime(at, tz)


def line_svg(instrument: Instrument, complete: list[Any], infusions: list[tuple[int, datetime]],
             outcome: CourseOutcome | None, cutpoint: int, tz: zoneinfo.ZoneInfo) -> str:
    """Scores over time with the infusions, the baseline and (PCL-5) the cut-point marked."""
    low, high = instrument.total_range or (0, 100)
    times = [a.assessed_at for a in complete] + [t for _, t in infusions]
    x_min, x_max = _local(min(times), tz) - timedelta(days=1), _local(max(times), tz) + timedelta(days=1)
    series = charts.Series(short_name(instrument.id), tuple((_local(a.assessed_at, tz), float(a.total)) for a in complete))
    markers = [charts.VerticalMarker(_local(t, tz), f"Inf {n}") for n, t in infusions]
    hlines = []
    if outcome is not None:
        hlines.append(charts.HorizontalLine(float(outcome.baseline.total), f"Baseline {outcome.baseline.total}",
                                            css_class="baseline"))
    if instrument.id == "pcl5":
        hlines.append(charts.HorizontalLine(float(cutpoint), f"Cut-point {cutpoint}", css_class="cutpoint",
                                            colour="#b3261e"))
    return charts.line_chart([series], x_min=x_min, x_max=x_max, y_min=float(low), y_max=float(high),
                             markers=markers, hlines=hlines, title=f"{short_name(instrument.id)} total over time",
                             y_label="total")


def clusters_svg(complete: list[Any], tz: zoneinfo.ZoneInfo) -> str:
    """PCL-5 clusters B, C, D, E as stacked bars, one bar per complete assessment."""
    bars = [charts.StackedBar(_local(a.assessed_at, tz).strftime("%m-%d"),
                              tuple(float(a.result["subscales"][c]) for c in CLUSTERS))
            for a in complete[-12:]]
    segments = [charts.Segment(f"Cluster {c}") for c in CLUSTERS]
    return charts.stacked_bars(bars, segments=segments, y_max=80.0, title="PCL-5 by symptom cluster",
                               y_label="points")
