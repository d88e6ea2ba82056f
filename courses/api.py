"""Courses API: protocols and course orders (chairs and bookings are under /api/scheduling/)."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from ninja import Field, Router, Schema

from accounts.access import ClinicRequest, api_allow
from accounts.pages import audit_read
from accounts.permissions import Perm
from patients.models import Patient
from toolkit.errors import ServiceError
from toolkit.scoping import get_in_clinic
from toolkit.vocab import literal_of

from . import defaults as d
from . import queries, services
from .choices import CourseStatus, WeightBasis
from .defaults import DEFAULT_THRESHOLDS
from .models import Protocol, TreatmentCourse

WeightBasisValue = literal_of(WeightBasis)
EndStatus = literal_of([CourseStatus.COMPLETED, CourseStatus.STOPPED])

router = Router()


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
    weight_basis: WeightBasisValue | None = None
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


@router.get("/protocols", response=list[ProtocolOut])
@api_allow(Perm.VIEW_PROTOCOLS)
def list_protocols(request: ClinicRequest) -> list[Protocol]:
    return list(queries.protocols_of(request.clinic))


@router.post("/", response={201: CourseOut})
@api_allow(Perm.ORDER_COURSE)
def order_course(request: ClinicRequest, body: OrderIn) -> tuple[int, TreatmentCourse]:
    patient = get_in_clinic(Patient, request.clinic, pk=body.patient_id)
    protocol = get_in_clinic(Protocol, request.clinic, pk=body.protocol_id)
    return 201, services.order_course(patient=patient, protocol=protocol, mg_per_kg=body.mg_per_kg,
                                      weight_basis=body.weight_basis, override_reason=body.override_reason,
                                      notes=body.notes, by=request.user)


@router.get("/{int:course_id}", response=CourseOut)
@api_allow(Perm.VIEW_COURSES)
def get_course(request: ClinicRequest, course_id: int) -> TreatmentCourse:
    course = get_in_clinic(TreatmentCourse, request.clinic, pk=course_id)
    audit_read(request, "course_view", patient=course.patient_id, obj=course, via="api")
    return course


class ProtocolIn(Schema):
    name: str = Field(min_length=1, max_length=80)
    n_infusions: int = Field(d.N_INFUSIONS, ge=1, le=30)
    min_hours_between: int = Field(d.MIN_HOURS_BETWEEN, ge=1, le=720)
    max_span_days: int = Field(d.MAX_SPAN_DAYS, ge=1, le=365)
    mg_per_kg: Decimal = Field(d.MG_PER_KG, max_digits=4, decimal_places=2)
    infusion_min: int = Field(d.INFUSION_MIN, ge=1, le=600)
    max_mg_per_kg: Decimal = Field(d.MAX_MG_PER_KG, max_digits=4, decimal_places=2)
    max_total_mg: Decimal = Field(d.MAX_TOTAL_MG, max_digits=6, decimal_places=1)
    weight_basis: WeightBasisValue = d.WEIGHT_BASIS
    vial_mg_per_ml: Decimal = Field(d.VIAL_MG_PER_ML, max_digits=5, decimal_places=1)
    bag_volume_ml: Decimal = Field(d.BAG_VOLUME_ML, max_digits=6, decimal_places=1)
    bp_every_min_infusing: int = Field(d.BP_EVERY_MIN_INFUSING, ge=1, le=120)
    bp_every_min_recovering: int = Field(d.BP_EVERY_MIN_RECOVERING, ge=1, le=120)
    thresholds: dict[str, Annotated[int, Field(ge=1, le=300)]] | None = None
    active: bool = True


class EndIn(Schema):
    status: EndStatus
    reason: str = Field("", max_length=2000)


def _protocol_values(body: ProtocolIn) -> dict[str, object]:
    values = body.dict(exclude_none=True)
    if "thresholds" in values:
        unknown = set(values["thresholds"]) - set(DEFAULT_THRESHOLDS)
        if unknown:
            raise ServiceError(f"Unknown thresholds: {', '.join(sorted(unknown))}.", {"thresholds": "Unknown key."})
        values["thresholds"] = {**DEFAULT_THRESHOLDS, **values["thresholds"]}
    return values


@router.post("/protocols", response={201: ProtocolOut})
@api_allow(Perm.MANAGE_PROTOCOLS)
def create_protocol(request: ClinicRequest, body: ProtocolIn) -> tuple[int, Protocol]:
    return 201, services.save_protocol(clinic=request.clinic, values=_protocol_values(body), by=request.user)


@router.put("/protocols/{protocol_id}", response=ProtocolOut)
@api_allow(Perm.MANAGE_PROTOCOLS)
def update_protocol(request: ClinicRequest, protocol_id: int, body: ProtocolIn) -> Protocol:
    protocol = get_in_clinic(Protocol, request.clinic, pk=protocol_id)
    return services.save_protocol(clinic=request.clinic, values=_protocol_values(body), by=request.user, protocol=protocol)


@router.post("/{int:course_id}/end", response=CourseOut)
@api_allow(Perm.END_COURSE)
def end_course(request: ClinicRequest, course_id: int, body: EndIn) -> TreatmentCourse:
    course = get_in_clinic(TreatmentCourse, request.clinic, pk=course_id)
    return services.end_course(course=course, status=body.status, reason=body.reason, by=request.user)
