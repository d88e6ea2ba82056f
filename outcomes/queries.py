"""Clinic outcome figures: one row per course, de-identified, built on the measures classification."""

import hashlib
import statistics
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings

from clinical.outcomes import ResponseSummary, summarize
from courses.models import TreatmentCourse
from measures.policy import outcome_definitions
from measures.progress import course_progress


@dataclass(frozen=True)
class CourseRow:
    pseudo_id: str
    course_id: int
    status: str
    start_year: int | None
    age_band: str
    infusions: int
    baseline: int | None
    last: int | None
    last_day: int | None
    change_pct: float | None
    responder: bool
    remitted: bool
    loss_day: int | None


def pseudo_id(course_id: int) -> str:
    """A stable code that is not derived from any identifier a reader could reverse."""
    digest = hashlib.sha256(f"{settings.SECRET_KEY}|course|{course_id}".encode()).hexdigest()
    return "C-" + digest[:8].upper()


def age_band(born: date, on: date) -> str:
    """Age in 10-year bands, with ages over 89 as "90+" (HIPAA Safe Harbor, 45 CFR 164.514(b)(2))."""
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    if age > 89:
        return "90+"
    low = (age // 10) * 10
    return f"{low}-{low + 9}"


def course_rows(clinic: Any) -> list[CourseRow]:
    """Every course of the clinic with a PCL-5 baseline, classified by the clinic's definitions."""
    rows = []
    for course in TreatmentCourse.objects.in_clinic(clinic).select_related("patient").order_by("ordered_at"):
        row = _row(course)
        if row is not None:
            rows.append(row)
    return rows


def _row(course: Any) -> CourseRow | None:
    progress = course_progress(course)
    pcl5 = next((i for i in progress.instruments if i.instrument.id == "pcl5"), None)
    if pcl5 is None or pcl5.outcome is None or not progress.infusions:
        return None
    start: datetime = progress.infusions[0][1]
    out = pcl5.outcome
    last = out.points[-1] if out.points else None
    return CourseRow(
        pseudo_id=pseudo_id(course.pk), course_id=course.pk, status=course.status, start_year=start.year,
        age_band=age_band(course.patient.date_of_birth, start.date()), infusions=len(progress.infusions),
        baseline=int(out.baseline.total), last=int(last.total) if last else None,
        last_day=(last.assessed_at - start).days if last else None,
        change_pct=float(last.change_pct) if last and last.change_pct is not None else None,
        responder=out.responder, remitted=bool(out.currently_remitted),
        loss_day=(out.loss_of_response_at - start).days if out.loss_of_response_at else None,
    )


def clinic_summary(clinic: Any, rows: list[CourseRow]) -> dict[str, Any]:
    """Response, remission and durability over courses with at least one PCL-5 after baseline."""
    defs = outcome_definitions(clinic)
    measured = [r for r in rows if r.last is not None]
    responders = [r for r in measured if r.responder]
    response: ResponseSummary = summarize(len(responders), len(measured), defs)
    remission: ResponseSummary = summarize(sum(r.remitted for r in measured), len(measured), defs)
    losses = sorted(r.loss_day for r in responders if r.loss_day is not None)
    return {"definitions": defs, "n": len(measured), "response": response, "remission": remission,
            "responders": len(responders), "lost": len(losses),
            "median_loss_day": statistics.median(losses) if losses else None}
