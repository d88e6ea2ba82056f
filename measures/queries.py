"""Scoped reads of the measures app: assessments, schedules and due lists, links, wording."""

import enum
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.db.models import Case, Count, Q, QuerySet, Value, When
from django.urls import reverse

from clinical import assessment_schedule as schedule
from clinical.errors import ClinicalError
from clinical.instruments import INSTRUMENTS, Instrument
from clinical.session_flow import SessionState
from courses.choices import NOT_HELD_STATES, CourseStatus
from courses.defaults import planned_infusions
from courses.models import TreatmentCourse

from . import tokens
from .choices import PATIENT_REPORTED
from .models import Assessment, DueSlot, InstrumentWording, PatientLink
from .policy import schedule_windows

log = logging.getLogger("ketacare.measures")
FOLLOW_UP_HORIZON = timedelta(days=400)  # ended courses still followed up (3-month follow-up and more)
# Session states (by value: measures sits below infusions) in which the infusion was given.
GIVEN_STATES = tuple(s.value for s in (SessionState.RECOVERING, SessionState.DISCHARGED, SessionState.STOPPED_EARLY,
                                       SessionState.TRANSFERRED))


def assessments_of(patient: Any) -> QuerySet[Assessment]:
    """Every assessment of the patient, oldest first."""
    return Assessment.objects.in_clinic(patient.clinic).filter(patient=patient).order_by("assessed_at", "pk")


def current_course(patient: Any, now: datetime | None = None) -> TreatmentCourse | None:
    """The patient's active course, else the latest course ended within the follow-up horizon."""
    courses = TreatmentCourse.objects.in_clinic(patient.clinic).filter(patient=patient)
    active = courses.filter(status=CourseStatus.ACTIVE).order_by("-ordered_at").first()
    if active is not None:
        return active
    since = (now or datetime.now(UTC)) - FOLLOW_UP_HORIZON
    return courses.filter(ended_at__gte=since).order_by("-ended_at").first()


def course_points(course: Any) -> tuple[schedule.AssessmentPoint, ...]:
    """The assessment points the course was ordered with (its protocol snapshot)."""
    raw = (course.protocol_snapshot or {}).get("assessment_points", course.protocol.assessment_points)
    try:
        return schedule.points_from_json(raw)
    except ClinicalError as exc:
        log.warning("course %s has unusable assessment points: %s", course.pk, exc)
        return ()


def live_sessions(course: Any) -> list[Any]:
    """Sessions of the course that were held or are still booked (not cancelled, not a no-show), by booked time.

    A cancelled or missed infusion anchors nothing: the first, each and last infusion of the
    assessment schedule are the ones that remain (uses a prefetch when present).
    """
    return sorted((s for s in course.sessions.all() if s.state not in NOT_HELD_STATES), key=lambda s: (s.scheduled_start, s.number))


def infusion_started_at(session: Any) -> datetime | None:
    """When the infusion began; a session past the infusion without a start time counts from its booking."""
    if session.started_at is not None:
        return session.started_at
    return session.scheduled_start if session.state in GIVEN_STATES else None


def course_slots(course: Any, now: datetime) -> tuple[schedule.Slot, ...]:
    """Every assessment item of the course with its window and status at `now` (kernel rules)."""
    infusions = [schedule.Infusion(s.number, s.scheduled_start, infusion_started_at(s)) for s in live_sessions(course)]
    done = [schedule.Done(a.instrument, a.assessed_at, a.point_key, a.occurrence) for a in course.assessments.all()]
    return schedule.plan_slots(
        course_points(course), infusions, n_infusions=planned_infusions(course.protocol_snapshot),
        final=course.status != CourseStatus.ACTIVE, done=done, now=now, windows=schedule_windows(course.clinic),
    )


@dataclass(frozen=True)
class DueItem:
    """One questionnaire a patient should fill in for a point of their course."""

    patient: Any
    course: Any
    slot: schedule.Slot

    @property
    def instrument(self) -> Instrument:
        return INSTRUMENTS[self.slot.instrument]

    @property
    def label(self) -> str:
        return self.slot.display_label

    @property
    def status(self) -> str:
        return self.slot.status.value

    @property
    def overdue(self) -> bool:
        return self.slot.status is schedule.SlotStatus.OVERDUE

    @property
    def patient_reported(self) -> bool:
        return self.slot.instrument in PATIENT_REPORTED

    def _query(self) -> str:
        s = self.slot
        return urlencode({"instrument": s.instrument, "point": s.point_key, "occurrence": s.occurrence})

    @property
    def enter_url(self) -> str:
        return reverse("measures:enter", args=[self.patient.pk]) + "?" + self._query()

    @property
    def link_url(self) -> str:
        return reverse("measures:issue_link", args=[self.patient.pk]) + "?" + self._query()


def followed_courses(clinic: Any, now: datetime) -> QuerySet[TreatmentCourse]:
    """Courses whose assessments may still be due: active, or ended within the follow-up horizon."""
    return (TreatmentCourse.objects.in_clinic(clinic)
            .filter(Q(status=CourseStatus.ACTIVE) | Q(ended_at__gte=now - FOLLOW_UP_HORIZON))
            .select_related("patient", "protocol", "clinic").prefetch_related("sessions", "assessments"))


def _items(courses: Iterable[Any], now: datetime, open_only: bool = True) -> list[DueItem]:
    found: list[DueItem] = []
    for course in courses:
        slots = course_slots(course, now)
        chosen = schedule.open_slots(slots) if open_only else slots
        found.extend(DueItem(course.patient, course, s) for s in chosen)
    return found


def computed_due_items(clinic: Any, now: datetime) -> list[DueItem]:
    """The due list worked out from every followed course's history (the reference the stored rows must equal)."""
    items = _items(followed_courses(clinic, now), now)
    return sorted(items, key=lambda i: (not i.overdue, i.slot.due_by, i.patient.family_name))


# --- Reads of the stored slots (DueSlot, kept by measures.readmodel; ADR 0013) -----------------

def _item(row: DueSlot, now: datetime) -> DueItem:
    slot = schedule.Slot(row.point_key, row.label, row.instrument, row.occurrence, row.opens_at, row.due_by,
                         row.closes_at, schedule.status_at(row.opens_at, row.due_by, row.closes_at, row.done_at, now),
                         row.done_at)
    return DueItem(row.patient, row.course, slot)


def _followed(rows: QuerySet[DueSlot], now: datetime) -> QuerySet[DueSlot]:
    return rows.filter(Q(followed_until__isnull=True) | Q(followed_until__gte=now))


def _open(rows: QuerySet[DueSlot], now: datetime) -> QuerySet[DueSlot]:
    return rows.filter(done_at__isnull=True, opens_at__lte=now, closes_at__gte=now)


def open_rows(clinic: Any, now: datetime) -> QuerySet[DueSlot]:
    """The clinic's due and overdue items as rows, overdue first, then by deadline and family name."""
    overdue_first = Case(When(due_by__lt=now, then=Value(0)), default=Value(1))
    rows = _followed(_open(DueSlot.objects.in_clinic(clinic), now), now)
    return rows.select_related("patient", "course").order_by(overdue_first, "due_by", "patient__family_name", "pk")


def due_items(clinic: Any, now: datetime, limit: int | None = None) -> list[DueItem]:
    """Due and overdue questionnaires of the clinic, overdue first (the dashboard's list; `limit` rows at most)."""
    rows = open_rows(clinic, now)
    return [_item(r, now) for r in (rows if limit is None else rows[:limit])]


def due_counts(clinic: Any, now: datetime) -> tuple[int, int]:
    """(due or overdue, of which overdue) for the clinic, counted in the database."""
    found = _followed(_open(DueSlot.objects.in_clinic(clinic), now), now).aggregate(
        total=Count("pk"), overdue=Count("pk", filter=Q(due_by__lt=now)))
    return found["total"], found["overdue"]


def due_before_session(session: Any, now: datetime | None = None) -> list[DueItem]:
    """Questionnaires of the session's course to give at check-in: due or overdue and not yet done."""
    now = now or datetime.now(UTC)
    overdue_first = Case(When(due_by__lt=now, then=Value(0)), default=Value(1))
    rows = _open(DueSlot.objects.filter(course_id=session.course_id), now).select_related("patient", "course")
    return [_item(r, now) for r in rows.order_by(overdue_first, "due_by", "position")]


def patient_schedule(patient: Any, now: datetime) -> list[DueItem]:
    """Every item of the patient's followed courses, any status, by deadline (for the chart)."""
    rows = _followed(DueSlot.objects.in_clinic(patient.clinic).filter(patient=patient), now)
    return [_item(r, now) for r in rows.select_related("patient", "course").order_by("due_by", "course_id", "position")]


def wording_for(clinic: Any, instrument_id: str) -> InstrumentWording | None:
    """The clinic's imported wording for the instrument, else the installation's, else None."""
    rows = InstrumentWording.objects.filter(instrument=instrument_id)
    return rows.filter(clinic=clinic).first() or rows.filter(clinic__isnull=True).first()


class LinkState(enum.StrEnum):
    OK = "ok"
    FORGED = "forged"
    EXPIRED = "expired"
    USED = "used"


def resolve_link(token: str, now: datetime, *, lock: bool = False) -> tuple[LinkState, PatientLink | None]:
    """Tell whether a patient-link token may be used now, and return its link when it is genuine."""
    try:
        token_hash = tokens.check_token(token)
    except tokens.TokenTooOld:
        return LinkState.EXPIRED, None
    except tokens.TokenRefused:
        return LinkState.FORGED, None
    rows = PatientLink.objects.select_related("patient", "clinic", "course")
    if lock:
        rows = rows.select_for_update(no_key=True, of=("self",))  # ketacare/locking.py
    link = rows.filter(token_hash=token_hash).first()
    if link is None:
        return LinkState.FORGED, None
    if link.used_at is not None:
        return LinkState.USED, link
    if now >= link.expires_at:
        return LinkState.EXPIRED, link
    return LinkState.OK, link


def links_of(patient: Any) -> QuerySet[PatientLink]:
    """Links issued for the patient, newest first."""
    return PatientLink.objects.in_clinic(patient.clinic).filter(patient=patient).order_by("-issued_at")
