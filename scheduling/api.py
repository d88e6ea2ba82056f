"""Scheduling API: chairs, bookings, nurse shifts, patient availability, plan-the-course and the waiting list."""

from datetime import date, datetime, time
from typing import Annotated
from zoneinfo import ZoneInfo

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema
from pydantic import WithJsonSchema

from accounts.access import ClinicRequest, api_allow
from accounts.models import User
from accounts.pages import audit_read
from accounts.permissions import Perm
from courses.choices import CourseStatus
from courses.models import TreatmentCourse
from infusions.api import BookedSession
from infusions.models import InfusionSession
from patients.models import Patient
from toolkit.errors import ServiceError
from toolkit.scoping import get_in_clinic

from . import services
from .models import Chair, NurseShift, PatientAvailability, WaitingListEntry
from .planning import PlannedBooking
from .proposals import adjusted_problems, live_sessions, propose_course

router = Router()


class ChairIn(Schema):
    name: str = Field(min_length=1, max_length=40)
    location_code: str = Field("", max_length=40)


class ChairOut(Schema):
    id: int
    name: str
    location_code: str
    active: bool


class BookingIn(Schema):
    course_id: int
    chair_id: int
    starts_at: datetime


class BackEntryIn(BookingIn):
    reason: str = Field(min_length=1, max_length=2000)


class ReasonIn(Schema):
    reason: str = Field(min_length=1, max_length=2000)


class RescheduleIn(Schema):
    chair_id: int
    starts_at: datetime
    reason: str = Field(min_length=1, max_length=2000)


class BookingOut(BookedSession):
    scheduled_end: datetime
    state: str


@router.get("/chairs", response=list[ChairOut])
@api_allow(Perm.BOOK_SESSIONS)
def list_chairs(request: ClinicRequest) -> list[Chair]:
    return list(Chair.objects.in_clinic(request.clinic))


@router.post("/chairs", response={201: ChairOut})
@api_allow(Perm.MANAGE_CHAIRS)
def add_chair(request: ClinicRequest, body: ChairIn) -> tuple[int, Chair]:
    return 201, services.add_chair(clinic=request.clinic, name=body.name, location_code=body.location_code, by=request.user)


def _course_and_chair(request: ClinicRequest, body: BookingIn) -> tuple[TreatmentCourse, Chair]:
    """The booking's course and chair, each of the caller's clinic (404 otherwise)."""
    return (get_in_clinic(TreatmentCourse, request.clinic, pk=body.course_id),
            get_in_clinic(Chair, request.clinic, pk=body.chair_id))


@router.post("/bookings", response={201: BookingOut})
@api_allow(Perm.BOOK_SESSIONS)
def book(request: ClinicRequest, body: BookingIn) -> tuple[int, object]:
    course, chair = _course_and_chair(request, body)
    return 201, services.book_session(course=course, chair=chair, starts_at=body.starts_at, by=request.user)


@router.post("/back-entries", response={201: BookingOut})
@api_allow(Perm.BACK_ENTER_SESSION)
def back_enter(request: ClinicRequest, body: BackEntryIn) -> tuple[int, object]:
    course, chair = _course_and_chair(request, body)
    return 201, services.back_enter_session(course=course, chair=chair, starts_at=body.starts_at, reason=body.reason,
                                            by=request.user)


def _booking(request: ClinicRequest, session_id: int) -> InfusionSession:
    return get_in_clinic(InfusionSession, request.clinic, pk=session_id)


@router.post("/bookings/{session_id}/cancel", response=BookingOut)
@api_allow(Perm.BOOK_SESSIONS)
def cancel(request: HttpRequest, session_id: int, body: ReasonIn) -> InfusionSession:
    return services.cancel_session(session=_booking(request, session_id), reason=body.reason, by=request.user)


@router.post("/bookings/{session_id}/no-show", response=BookingOut)
@api_allow(Perm.BOOK_SESSIONS)
def no_show(request: HttpRequest, session_id: int, body: ReasonIn) -> InfusionSession:
    return services.record_no_show(session=_booking(request, session_id), reason=body.reason, by=request.user)


@router.post("/bookings/{session_id}/reschedule", response=BookingOut)
@api_allow(Perm.BOOK_SESSIONS)
def reschedule(request: ClinicRequest, session_id: int, body: RescheduleIn) -> InfusionSession:
    session = _booking(request, session_id)
    chair = get_in_clinic(Chair, request.clinic, pk=body.chair_id)
    return services.reschedule_session(session=session, chair=chair, starts_at=body.starts_at, reason=body.reason,
                                       by=request.user)


# Nurse shifts (a weekly pattern plus dated exceptions), patient availability, plan-the-course and the
# waiting list: the same services the calendar, shift and availability pages call (issue 12).

# A wall-clock time of the clinic: HH:MM or HH:MM:SS with no zone (JSON Schema's "time" format demands one).
LocalTime = Annotated[time, WithJsonSchema({"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$",
                                            "description": "clinic local time, HH:MM[:SS], no zone"})]

class ShiftIn(Schema):
    nurse_id: int
    weekday: int = Field(ge=0, le=6, description="0 is Monday")
    starts: LocalTime = Field(description="clinic local time")
    ends: LocalTime


class ShiftOut(Schema):
    id: int
    nurse_id: int
    weekday: int
    starts: LocalTime
    ends: LocalTime
    active: bool


class ShiftExceptionIn(Schema):
    nurse_id: int
    on: date
    starts: LocalTime | None = Field(None, description="empty with ends for a day off")
    ends: LocalTime | None = None
    reason: str = Field("", max_length=200)


class ShiftExceptionOut(Schema):
    id: int
    nurse_id: int
    on: date
    starts: LocalTime | None
    ends: LocalTime | None
    reason: str


class WindowIn(Schema):
    weekday: int = Field(ge=0, le=6, description="0 is Monday")
    starts: LocalTime = Field(description="clinic local time")
    ends: LocalTime


class WindowOut(Schema):
    weekday: int
    starts: LocalTime
    ends: LocalTime


class AvailabilityIn(Schema):
    windows: list[WindowIn] = Field(max_length=50, description="an empty list means any time the clinic is open")


class PlannedIn(Schema):
    chair_id: int
    nurse_id: int
    starts_at: datetime = Field(description="with its UTC offset")


class PlannedOut(Schema):
    number: int
    chair_id: int
    chair: str
    nurse_id: int
    nurse: str
    starts_at: datetime


class PlanOut(Schema):
    course_id: int
    booked: int
    total: int
    proposal: list[PlannedOut]
    message: str


class PlanCheckOut(Schema):
    fits: bool
    problems: list[str]


class PlanIn(Schema):
    bookings: list[PlannedIn] = Field(min_length=1, max_length=60)


class WaitingIn(Schema):
    course_id: int
    note: str = Field("", max_length=200)


class WaitingOut(Schema):
    id: int
    course_id: int
    patient_id: int
    added_at: datetime
    note: str


def _nurse(request: ClinicRequest, nurse_id: int) -> User:
    """A member of the request's clinic (the service checks the role), or 404 as for any other clinic's row."""
    nurse = User.objects.filter(pk=nurse_id, memberships__clinic=request.clinic).first()
    if nurse is None:
        raise Http404("No such member of this clinic.")
    return nurse


@router.get("/shifts", response=list[ShiftOut])
@api_allow(Perm.MANAGE_NURSE_SHIFTS)
def list_shifts(request: ClinicRequest) -> list[NurseShift]:
    return list(NurseShift.objects.in_clinic(request.clinic).filter(active=True))


@router.post("/shifts", response={201: ShiftOut})
@api_allow(Perm.MANAGE_NURSE_SHIFTS)
def add_shift(request: ClinicRequest, body: ShiftIn) -> tuple[int, NurseShift]:
    return 201, services.add_nurse_shift(clinic=request.clinic, nurse=_nurse(request, body.nurse_id),
                                         weekday=body.weekday, starts=body.starts, ends=body.ends, by=request.user)


@router.delete("/shifts/{shift_id}", response={204: None})
@api_allow(Perm.MANAGE_NURSE_SHIFTS)
def remove_shift(request: ClinicRequest, shift_id: int) -> tuple[int, None]:
    shift = get_in_clinic(NurseShift, request.clinic, pk=shift_id, active=True)
    services.remove_nurse_shift(shift=shift, by=request.user)
    return 204, None


@router.put("/shift-exceptions", response=ShiftExceptionOut)
@api_allow(Perm.MANAGE_NURSE_SHIFTS)
def set_shift_exception(request: ClinicRequest, body: ShiftExceptionIn) -> object:
    return services.set_shift_exception(clinic=request.clinic, nurse=_nurse(request, body.nurse_id), on=body.on,
                                        starts=body.starts, ends=body.ends, reason=body.reason, by=request.user)


@router.get("/patients/{patient_id}/availability", response=list[WindowOut])
@api_allow(Perm.RECORD_AVAILABILITY)
def availability(request: ClinicRequest, patient_id: int) -> list[PatientAvailability]:
    patient = get_in_clinic(Patient, request.clinic, pk=patient_id)
    return list(PatientAvailability.objects.filter(patient=patient))


@router.put("/patients/{patient_id}/availability", response=list[WindowOut])
@api_allow(Perm.RECORD_AVAILABILITY)
def set_availability(request: ClinicRequest, patient_id: int, body: AvailabilityIn) -> list:
    patient = get_in_clinic(Patient, request.clinic, pk=patient_id)
    return services.set_patient_availability(patient=patient, by=request.user,
                                             windows=[(w.weekday, w.starts, w.ends) for w in body.windows])


def _plan_course(request: ClinicRequest, course_id: int) -> TreatmentCourse:
    course = get_in_clinic(TreatmentCourse, request.clinic, pk=course_id)
    if course.status != CourseStatus.ACTIVE:
        raise ServiceError("Only an active course can be booked.")
    return course


def _planned(request: ClinicRequest, body: PlanIn) -> list[PlannedBooking]:
    return [PlannedBooking(n=n, chair=get_in_clinic(Chair, request.clinic, pk=b.chair_id, active=True),
                           nurse=_nurse(request, b.nurse_id), starts_at=b.starts_at)
            for n, b in enumerate(body.bookings, start=1)]


def _planned_out(course: TreatmentCourse, bookings: list[PlannedBooking] | tuple[PlannedBooking, ...],
                 done: int) -> list[dict[str, object]]:
    tz = ZoneInfo(course.clinic.time_zone)
    return [{"number": done + b.n, "chair_id": b.chair.pk, "chair": b.chair.name, "nurse_id": b.nurse.pk,
             "nurse": b.nurse.get_full_name() or b.nurse.username, "starts_at": b.starts_at.astimezone(tz)}
            for b in bookings]


@router.get("/courses/{course_id}/plan", response=PlanOut)
@api_allow(Perm.BOOK_SESSIONS)
def propose(request: ClinicRequest, course_id: int, after: datetime | None = None) -> dict[str, object]:
    """The earliest plan of the course's remaining infusions; `after` (a proposal's first start) asks for the next."""
    course = _plan_course(request, course_id)
    if after is not None and (after.tzinfo is None or after.utcoffset() is None):
        raise ServiceError("'after' needs its UTC offset.", {"after": "Naive time."})
    proposal = propose_course(course, now=timezone.now(), after=after)
    done = len(live_sessions(course))
    audit_read(request, "course_plan_view", clinic=request.clinic, patient=course.patient_id, obj=course)
    return {"course_id": course.pk, "booked": done, "total": int(course.protocol_snapshot["n_infusions"]),
            "proposal": _planned_out(course, proposal.bookings, done), "message": proposal.message}


@router.post("/courses/{course_id}/plan/check", response=PlanCheckOut)
@api_allow(Perm.BOOK_SESSIONS)
def check_plan(request: ClinicRequest, course_id: int, body: PlanIn) -> dict[str, object]:
    """Whether an adjusted proposal still fits every chair, nurse, window and spacing rule (nothing is booked)."""
    course = _plan_course(request, course_id)
    problems = adjusted_problems(course, _planned(request, body), now=timezone.now())
    return {"fits": not problems, "problems": problems}


@router.post("/courses/{course_id}/plan", response={201: list[BookingOut]})
@api_allow(Perm.BOOK_SESSIONS)
def accept_plan(request: ClinicRequest, course_id: int, body: PlanIn) -> tuple[int, list]:
    """Book every session of a proposal (as proposed or adjusted), each with its nurse, or none of them."""
    course = _plan_course(request, course_id)
    return 201, services.accept_course_plan(course=course, bookings=_planned(request, body), by=request.user)


def _waiting_out(entry: WaitingListEntry) -> dict[str, object]:
    return {"id": entry.pk, "course_id": entry.course_id, "patient_id": entry.course.patient_id,
            "added_at": entry.added_at, "note": entry.note}


@router.get("/waiting-list", response=list[WaitingOut])
@api_allow(Perm.MANAGE_WAITING_LIST)
def waiting_list(request: ClinicRequest) -> list[dict[str, object]]:
    entries = WaitingListEntry.objects.in_clinic(request.clinic).filter(removed_at__isnull=True).select_related("course")
    return [_waiting_out(e) for e in entries]


@router.post("/waiting-list", response={201: WaitingOut})
@api_allow(Perm.MANAGE_WAITING_LIST)
def join_waiting_list(request: ClinicRequest, body: WaitingIn) -> tuple[int, dict[str, object]]:
    course = _plan_course(request, body.course_id)
    return 201, _waiting_out(services.join_waiting_list(course=course, note=body.note, by=request.user))


@router.delete("/waiting-list/{waiting_id}", response={204: None})
@api_allow(Perm.MANAGE_WAITING_LIST)
def leave_waiting_list(request: ClinicRequest, waiting_id: int) -> tuple[int, None]:
    entry = get_in_clinic(WaitingListEntry, request.clinic, pk=waiting_id, removed_at__isnull=True)
    services.leave_waiting_list(entry=entry, by=request.user)
    return 204, None
