"""Therapy API: record and list integration sessions."""

from datetime import date, datetime
from typing import Annotated, Any

from ninja import Field, Router, Schema

from accounts.access import ClinicRequest, api_allow
from accounts.pages import audit_read
from accounts.permissions import Perm
from patients.models import Patient
from toolkit.errors import ServiceError
from toolkit.scoping import get_in_clinic
from toolkit.vocab import literal_of

from . import queries, services
from .choices import Modality, Timing
from .models import IntegrationSession, TherapyAmendment

ModalityValue = literal_of(Modality)
TimingValue = literal_of(Timing)

router = Router()


class TherapyIn(Schema):
    held_on: date
    duration_min: int = Field(50, ge=10, le=240)
    modality: ModalityValue
    timing: TimingValue = Timing.INTEGRATION.value
    infusion_ids: list[Annotated[int, Field(ge=1, le=2**31 - 1)]] = Field(default_factory=list, max_length=20)
    goals: str = Field("", max_length=4000)
    note: str = Field("", max_length=20000)


class TherapyOut(Schema):
    id: int
    held_on: date
    duration_min: int
    modality: str
    timing: str
    infusion_ids: list[int]
    goals: str
    note: str

    @staticmethod
    def resolve_infusion_ids(obj: IntegrationSession) -> list[int]:
        return sorted(i.pk for i in obj.infusions.all())


@router.post("/patients/{patient_id}", response={201: TherapyOut})
@api_allow(Perm.RECORD_THERAPY)
def record(request: ClinicRequest, patient_id: int, body: TherapyIn) -> tuple[int, object]:
    patient = get_in_clinic(Patient, request.clinic, pk=patient_id)
    values = body.dict(exclude={"infusion_ids"})
    return 201, services.record_session(patient=patient, values=values, infusion_ids=body.infusion_ids, by=request.user)


@router.get("/patients/{patient_id}", response=list[TherapyOut])
@api_allow(Perm.VIEW_THERAPY)
def list_sessions(request: ClinicRequest, patient_id: int) -> list[object]:
    patient = get_in_clinic(Patient, request.clinic, pk=patient_id)
    audit_read(request, "therapy_list_view", patient=patient, via="api")
    return list(queries.sessions_of(patient))


class TherapyAmendIn(Schema):
    held_on: date | None = None
    duration_min: int | None = Field(None, ge=10, le=240)
    modality: ModalityValue | None = None
    timing: TimingValue | None = None
    infusion_ids: list[Annotated[int, Field(ge=1, le=2**31 - 1)]] | None = Field(None, max_length=20)
    goals: str | None = Field(None, max_length=4000)
    note: str | None = Field(None, max_length=20000)
    reason: str = Field(min_length=10, max_length=2000)


class TherapyAmendmentOut(Schema):
    id: int
    session_id: int
    before: dict[str, Any]
    after: dict[str, Any]
    reason: str
    amended_by: str
    amended_at: datetime

    @staticmethod
    def resolve_amended_by(obj: TherapyAmendment) -> str:
        return obj.amended_by.username


@router.patch("/sessions/{therapy_id}", response=TherapyAmendmentOut)
@api_allow(Perm.RECORD_THERAPY)
def amend(request: ClinicRequest, therapy_id: int, body: TherapyAmendIn) -> object:
    session = get_in_clinic(IntegrationSession, request.clinic, pk=therapy_id)
    values = body.dict(exclude_unset=True, exclude={"infusion_ids", "reason"})
    if any(v is None for v in values.values()):
        raise ServiceError("A field cannot be cleared with null; send its new value.",
                           {k: "Send a value." for k, v in values.items() if v is None})
    return services.amend_session(session=session, values=values, infusion_ids=body.infusion_ids, reason=body.reason,
                                  by=request.user)


@router.get("/sessions/{therapy_id}/amendments", response=list[TherapyAmendmentOut])
@api_allow(Perm.VIEW_THERAPY)
def amendments(request: ClinicRequest, therapy_id: int) -> list[object]:
    session = get_in_clinic(IntegrationSession, request.clinic, pk=therapy_id)
    audit_read(request, "therapy_amendments_view", patient=session.patient_id, obj=session, via="api")
    return list(session.amendments.select_related("amended_by"))
