"""Every write of the scheduling app: chairs and bookings (the booked row is an infusions session, ADR 0008),
nurse shifts and their exceptions, patient availability and the waiting list."""

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db import IntegrityError, transaction

from accounts.choices import Role
from accounts.policy import policy_value
from accounts.queries import require_role, role_of
from audit import services as audit
from clinical.errors import ClinicalError
from clinical.scheduling import Booking, check_booking
from courses.choices import CourseStatus
from courses.models import TreatmentCourse
from courses.services import spacing_of
from infusions.choices import SessionState
from infusions.models import InfusionSession
from infusions.services import booked
from ketacare.errors import ServiceError

from .models import Chair, NurseShift, PatientAvailability, ShiftException, WaitingListEntry

BOOKING_ROLES = (Role.PRESCRIBER, Role.NURSE, Role.FRONT_DESK, Role.CLINIC_ADMIN)
LIVE_STATES = booked.LIVE_STATES


def add_chair(*, clinic: Any, name: str, location_code: str = "", by: Any) -> Chair:
    """Add an infusion chair to the clinic."""
    if not name.strip():
        raise ServiceError("A chair needs a name.", {"name": "Required."})
    if Chair.objects.filter(clinic=clinic, name=name.strip()).exists():
        raise ServiceError("A chair with this name exists.", {"name": "Taken."})
    try:
        with transaction.atomic():
            chair = Chair.objects.create(clinic=clinic, name=name.strip(), location_code=location_code.strip())
            audit.record(action="chair_create", by=by, clinic=clinic, obj=chair)
    except IntegrityError:
        raise ServiceError("A chair with this name exists.", {"name": "Taken."}) from None
    return chair


def _as_booking(session: InfusionSession) -> Booking:
    return Booking(session_id=str(session.pk), chair_id=str(session.chair_id),
                   starts_at=session.scheduled_start, ends_at=session.scheduled_end)


def book_session(*, course: TreatmentCourse, chair: Chair, starts_at: datetime, by: Any) -> InfusionSession:
    """Book the course's next infusion on a chair; the kernel checks spacing and overlaps."""
    require_role(by, course.clinic, *BOOKING_ROLES, to="book infusions")
    if course.status != CourseStatus.ACTIVE:
        raise ServiceError("Only an active course can be booked.")
    if chair.clinic_id != course.clinic_id or not chair.active:
        raise ServiceError("Choose an active chair of this clinic.", {"chair": "Not available."})
    if starts_at.tzinfo is None:
        raise ServiceError("The start time needs a time zone.", {"starts_at": "Naive time."})
    minutes = int(course.protocol_snapshot.get("infusion_min", 40))
    # The chair is held for the infusion plus the clinic's minimum observation time after it.
    ends_at = starts_at + timedelta(minutes=minutes + int(policy_value(course.clinic, "infusion_observation_min")))
    with transaction.atomic():
        # Lock the chair and the course so two bookings cannot slip past each other.
        Chair.objects.select_for_update().filter(pk=chair.pk).first()
        TreatmentCourse.objects.select_for_update().filter(pk=course.pk).first()
        course_rows = list(InfusionSession.objects.filter(course=course, state__in=LIVE_STATES))
        chair_rows = list(InfusionSession.objects.filter(chair=chair, state__in=LIVE_STATES,
                                                         scheduled_start__lt=ends_at + timedelta(days=1),
                                                         scheduled_end__gt=starts_at - timedelta(days=1)))
        new = Booking(session_id="new", chair_id=str(chair.pk), starts_at=starts_at, ends_at=ends_at)
        try:
            check_booking(new, course_bookings=[_as_booking(s) for s in course_rows],
                          chair_bookings=[_as_booking(s) for s in chair_rows], spacing=spacing_of(course))
        except ClinicalError as exc:
            raise ServiceError(str(exc), {"starts_at": str(exc)}) from None
        session = booked.create_booked_session(course=course, chair=chair, starts_at=starts_at, ends_at=ends_at)
        audit.record(action="session_book", by=by, clinic=course.clinic, patient=course.patient_id, obj=session,
                     detail={"chair": chair.name, "starts_at": starts_at.isoformat()})
    return session


def cancel_session(*, session: InfusionSession, reason: str, by: Any) -> InfusionSession:
    """Cancel a booked session that has not started."""
    require_role(by, session.clinic, *BOOKING_ROLES, to="cancel infusions")
    if session.state != SessionState.SCHEDULED:
        raise ServiceError("Only a session that has not been checked in can be cancelled.")
    if not reason.strip():
        raise ServiceError("Give a reason for cancelling.", {"reason": "Required."})
    with transaction.atomic():
        session = booked.cancel_booked_session(session=session, reason=reason)
        audit.record(action="session_cancel", by=by, clinic=session.clinic, patient=session.patient_id, obj=session,
                     detail={"reason": reason})
    return session


def now() -> datetime:
    return datetime.now(UTC)


AVAILABILITY_ROLES = (Role.FRONT_DESK, Role.PRESCRIBER, Role.NURSE, Role.CLINIC_ADMIN)
WAITING_ROLES = (Role.FRONT_DESK, Role.PRESCRIBER, Role.CLINIC_ADMIN)


def _span(starts: Any, ends: Any, field: str = "ends") -> tuple[time, time]:
    if not isinstance(starts, time) or not isinstance(ends, time):
        raise ServiceError("Give a start and an end time.", {field: "Required."})
    if ends <= starts:
        raise ServiceError("The end must be after the start.", {field: "Must be after the start."})
    return starts, ends


def _weekday(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 6:
        raise ServiceError("Choose a weekday.", {"weekday": "Monday (0) to Sunday (6)."})
    return value


def _require_nurse(clinic: Any, nurse: Any) -> None:
    if role_of(nurse, clinic) != Role.NURSE:
        raise ServiceError("Choose an infusion nurse of this clinic.", {"nurse": "Not a nurse of this clinic."})


def add_nurse_shift(*, clinic: Any, nurse: Any, weekday: int, starts: time, ends: time, by: Any) -> NurseShift:
    """Add a weekly shift to a nurse's pattern; shifts of one nurse on one weekday may not overlap."""
    require_role(by, clinic, Role.CLINIC_ADMIN, to="record nurse shifts")
    _require_nurse(clinic, nurse)
    weekday, (starts, ends) = _weekday(weekday), _span(starts, ends)
    with transaction.atomic():
        clash = NurseShift.objects.in_clinic(clinic).filter(nurse=nurse, weekday=weekday, active=True,
                                                            starts__lt=ends, ends__gt=starts).exists()
        if clash:
            raise ServiceError("This overlaps another shift of the nurse on that weekday.", {"starts": "Overlaps."})
        shift = NurseShift.objects.create(clinic=clinic, nurse=nurse, weekday=weekday, starts=starts, ends=ends)
        audit.record(action="shift_add", by=by, clinic=clinic, obj=shift,
                     detail={"nurse": nurse.username, "weekday": weekday, "starts": str(starts), "ends": str(ends)})
    return shift


def remove_nurse_shift(*, shift: NurseShift, by: Any) -> None:
    """End a weekly shift (kept for the record, no longer planned on)."""
    require_role(by, shift.clinic, Role.CLINIC_ADMIN, to="record nurse shifts")
    with transaction.atomic():
        NurseShift.objects.filter(pk=shift.pk).update(active=False)
        audit.record(action="shift_remove", by=by, clinic=shift.clinic, obj=shift)


def set_shift_exception(*, clinic: Any, nurse: Any, on: date, starts: time | None, ends: time | None,
                        reason: str = "", by: Any) -> ShiftException:
    """Replace the nurse's weekly shifts on one date: another shift, or a day off when no times are given."""
    require_role(by, clinic, Role.CLINIC_ADMIN, to="record nurse shifts")
    _require_nurse(clinic, nurse)
    if not isinstance(on, date):
        raise ServiceError("Give the date.", {"on": "Required."})
    if starts is not None or ends is not None:
        starts, ends = _span(starts, ends)
    with transaction.atomic():
        row, _ = ShiftException.objects.update_or_create(
            clinic=clinic, nurse=nurse, on=on, defaults={"starts": starts, "ends": ends, "reason": reason[:200]})
        audit.record(action="shift_exception", by=by, clinic=clinic, obj=row,
                     detail={"nurse": nurse.username, "on": on.isoformat(), "off": starts is None})
    return row


def set_patient_availability(*, patient: Any, windows: list[tuple[int, time, time]], by: Any) -> list:
    """Replace the patient's weekly availability windows (an empty list means any time the clinic is open)."""
    require_role(by, patient.clinic, *AVAILABILITY_ROLES, to="record patient availability")
    checked = [(_weekday(w), *_span(s, e)) for w, s, e in windows]
    with transaction.atomic():
        PatientAvailability.objects.filter(patient=patient).delete()
        rows = [PatientAvailability.objects.create(clinic=patient.clinic, patient=patient, weekday=w, starts=s, ends=e)
                for w, s, e in checked]
        audit.record(action="availability_set", by=by, clinic=patient.clinic, patient=patient.pk,
                     detail={"windows": [[w, str(s), str(e)] for w, s, e in checked]})
    return rows


def join_waiting_list(*, course: Any, note: str = "", by: Any, now: datetime | None = None) -> WaitingListEntry:
    """Put a course on the waiting list for an earlier slot."""
    require_role(by, course.clinic, *WAITING_ROLES, to="manage the waiting list")
    with transaction.atomic():
        if WaitingListEntry.objects.filter(course=course, removed_at__isnull=True).exists():
            raise ServiceError("This course is already on the waiting list.")
        entry = WaitingListEntry.objects.create(clinic=course.clinic, course=course, note=note[:200],
                                                added_at=now or datetime.now(UTC), added_by=by)
        audit.record(action="waiting_join", by=by, clinic=course.clinic, patient=course.patient_id, obj=entry)
    return entry


def leave_waiting_list(*, entry: WaitingListEntry, by: Any, now: datetime | None = None) -> None:
    require_role(by, entry.clinic, *WAITING_ROLES, to="manage the waiting list")
    with transaction.atomic():
        WaitingListEntry.objects.filter(pk=entry.pk, removed_at__isnull=True).update(
            removed_at=now or datetime.now(UTC))
        audit.record(action="waiting_leave", by=by, clinic=entry.clinic, patient=entry.course.patient_id, obj=entry)


def accept_course_plan(*, course: TreatmentCourse, bookings: list, by: Any, now: datetime | None = None) -> list:
    """Book every session of an accepted proposal, each with its planned nurse, or none of them."""
    from .models import SessionPlan
    from .proposals import check_proposal

    require_role(by, course.clinic, *BOOKING_ROLES, to="book infusions")
    if not bookings:
        raise ServiceError("The proposal is empty.")
    now = now or datetime.now(UTC)
    with transaction.atomic():
        TreatmentCourse.objects.select_for_update().filter(pk=course.pk).first()
        problems = check_proposal(course, bookings, now=now)
        if problems:
            raise ServiceError("The proposal no longer fits: " + "; ".join(problems[:3]))
        sessions = []
        for b in bookings:
            session = book_session(course=course, chair=b.chair, starts_at=b.starts_at, by=by)
            SessionPlan.objects.create(clinic=course.clinic, session=session, nurse=b.nurse, planned_at=now)
            sessions.append(session)
        audit.record(action="course_plan_accept", by=by, clinic=course.clinic, patient=course.patient_id, obj=course,
                     detail={"sessions": [s.pk for s in sessions]})
    return sessions


def confirm_session(*, session: InfusionSession, by: Any, now: datetime | None = None) -> None:
    """Mark a booking confirmed with the patient: a re-plan keeps it where it is."""
    from .models import SessionPlan

    require_role(by, session.clinic, *BOOKING_ROLES, to="confirm bookings")
    with transaction.atomic():
        SessionPlan.objects.update_or_create(session=session, defaults={
            "clinic": session.clinic, "confirmed": True, "planned_at": now or datetime.now(UTC)})
        audit.record(action="session_confirm", by=by, clinic=session.clinic, patient=session.patient_id, obj=session)


def apply_replan(*, clinic: Any, moves: list, by: Any, now: datetime | None = None) -> int:
    """Move unconfirmed bookings to their re-planned chair, nurse and start, all in one transaction."""
    from .models import SessionPlan

    if getattr(by, "pk", None) is not None:
        require_role(by, clinic, Role.CLINIC_ADMIN, to="re-plan the calendar")
    now = now or datetime.now(UTC)
    with transaction.atomic():
        for move in moves:
            session = InfusionSession.objects.select_for_update().get(pk=move.session_id, clinic=clinic)
            if session.state != SessionState.SCHEDULED:
                raise ServiceError(f"Session {session.pk} was checked in meanwhile; re-plan again.")
            plan = SessionPlan.objects.filter(session=session).first()
            if plan is not None and plan.confirmed:
                raise ServiceError(f"Session {session.pk} was confirmed meanwhile; re-plan again.")
            length = session.scheduled_end - session.scheduled_start
            booked.move_booked_session(session=session, chair=move.chair, starts_at=move.starts_at,
                                       ends_at=move.starts_at + length)
            SessionPlan.objects.update_or_create(session=session, defaults={
                "clinic": clinic, "nurse": move.nurse, "planned_at": now})
            audit.record(action="session_replan", by=by, clinic=clinic, patient=session.patient_id, obj=session,
                         detail={"chair": move.chair.name, "starts_at": move.starts_at.isoformat()})
    return len(moves)
