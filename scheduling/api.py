"""Scheduling API: chairs and bookings."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema

from accounts.access import ClinicRequest, api_allow
from accounts.permissions import Perm
from courses.models import TreatmentCourse
from infusions.models import InfusionSession
from toolkit.scoping import get_in_clinic

from . import services
from .models import Chair

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


class BookingOut(Schema):
    id: int
    course_id: int
    patient_id: int
    number: int
    chair_id: int
    scheduled_start: datetime
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
