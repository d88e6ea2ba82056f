"""Courses API: protocols, chairs, course orders and bookings."""

from datetime import datetime
from decimal import Decimal
from typing import Literal

from django.db import transaction
from django.http import HttpRequest
from ninja import Field, Router, Schema

from accounts.choices import Role
from audit import services as audit
from infusions import services as infusions
from ketacare.api import api_allow
from ketacare.scoping import get_in_clinic
from patients.models import Patient

from . import services
from .models import Chair, Protocol, TreatmentCourse
from .views import COURSE_READERS, SCHEDULERS

router = Router()
R = Role


class ProtocolOut(Schema):
    id: int
    name: str
    n_infusions: int
    min_hours_between: int
    max_span_days: int
    mg_per_kg: Decimal
    infusion_min: int
    max_mg_per_kg: Decimal
    max_total_mg: Decimal
    weight_basis: str
    thresholds: dict[str, int]


class OrderIn(Schema):
    patient_id: int
    protocol_id: int
    mg_per_kg: Decimal | None = Field(None, max_digits=4, decimal_places=2)
    weight_basis: Literal["actual", "ideal", "adjusted"] | None = None
    override_reason: str = Field("", max_length=2000)
    notes: str = Field("", max_length=4000)


class CourseOut(Schema):
    id: int
    patient_id: int
    protocol_id: int
    mg_per_kg: Decimal
    weight_basis: str
    status: str
    override_reason: str
    ordered_at: datetime


class BookingIn(Schema):
    chair_id: int
    starts_at: datetime


class SessionOut(Schema):
    id: int
    number: int
    chair_id: int
    scheduled_start: datetime
    scheduled_end: datetime
    state: str


@router.get("/protocols", response=list[ProtocolOut])
@api_allow(R.PRESCRIBER, R.CLINIC_ADMIN, R.NURSE)
def list_protocols(request: HttpRequest) -> list[Protocol]:
    return list(Protocol.objects.in_clinic(request.clinic))  # type: ignore[attr-defined]


@router.post("/", response={201: CourseOut})
@api_allow(R.PRESCRIBER)
def order_course(request: HttpRequest, body: OrderIn) -> tuple[int, TreatmentCourse]:
    patient = get_in_clinic(Patient, request.clinic, pk=body.patient_id)  # type: ignore[attr-defined]
    protocol = get_in_clinic(Protocol, request.clinic, pk=body.protocol_id)  # type: ignore[attr-defined]
    return 201, services.order_course(patient=patient, protocol=protocol, mg_per_kg=body.mg_per_kg,
                                      weight_basis=body.weight_basis, override_reason=body.override_reason,
                                      notes=body.notes, by=request.user)


@router.get("/{course_id}", response=CourseOut)
@api_allow(*COURSE_READERS)
def get_course(request: HttpRequest, course_id: int) -> TreatmentCourse:
    course = get_in_clinic(TreatmentCourse, request.clinic, pk=course_id)  # type: ignore[attr-defined]
    with transaction.atomic():
        audit.record(action="course_view", by=request.user, clinic=request.clinic, patient=course.patient_id, obj=course, detail={"via": "api"})  # type: ignore[attr-defined]
    return course


@router.post("/{course_id}/sessions", response={201: SessionOut})
@api_allow(*SCHEDULERS)
def book(request: HttpRequest, course_id: int, body: BookingIn) -> tuple[int, object]:
    course = get_in_clinic(TreatmentCourse, request.clinic, pk=course_id)  # type: ignore[attr-defined]
    chair = get_in_clinic(Chair, request.clinic, pk=body.chair_id)  # type: ignore[attr-defined]
    return 201, infusions.book_session(course=course, chair=chair, starts_at=body.starts_at, by=request.user)
