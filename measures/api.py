"""Measures API: record an assessment, list a patient's scores, issue a patient link, the due list."""

from datetime import UTC, datetime
from typing import Any

from ninja import Field, Router, Schema
from pydantic import StrictInt

from accounts.access import ClinicRequest, api_allow
from accounts.pages import audit_read
from accounts.permissions import Perm
from patients.models import Patient
from toolkit.scoping import get_in_clinic
from toolkit.vocab import literal_of

from . import queries, services
from .choices import PATIENT_REPORTED, Channel
from .delivery import link_url

PatientReported = literal_of(PATIENT_REPORTED)
ChannelValue = literal_of(Channel)

router = Router()


class AssessmentIn(Schema):
    instrument: str = Field(..., max_length=16, description="pcl5 phq9 gad7 iesr cssrs madrs caps5 cadss")
    items: list[StrictInt | None] = Field(..., max_length=40, description="Answers in item order; null = missing")
    assessed_at: datetime | None = Field(None, description="With a time zone; default now")
    point_key: str = Field("", max_length=32)
    occurrence: int = Field(0, ge=0, le=100)


class AssessmentOut(Schema):
    id: int
    patient_id: int
    course_id: int | None
    instrument: str
    point_key: str
    occurrence: int
    assessed_at: datetime
    items: list[int | None]
    complete: bool
    total: int | None
    result: dict[str, Any]
    source: str


class LinkIn(Schema):
    instrument: PatientReported
    point_key: str = Field("", max_length=32)
    occurrence: int = Field(0, ge=0, le=100)
    channels: list[ChannelValue] = Field(default_factory=list, max_length=2)


class LinkOut(Schema):
    id: int
    instrument: str
    url: str = Field(..., description="Shown once: only a hash of the token is stored")
    expires_at: datetime
    channels: str


class DueOut(Schema):
    patient_id: int
    mrn: str
    course_id: int
    instrument: str
    point_key: str
    label: str
    occurrence: int
    status: str
    opens_at: datetime
    due_by: datetime


@router.post("/patients/{patient_id}/assessments", response={201: AssessmentOut})
@api_allow(Perm.RECORD_QUESTIONNAIRES)
def record(request: ClinicRequest, patient_id: int, body: AssessmentIn) -> tuple[int, Any]:
    patient = get_in_clinic(Patient, request.clinic, pk=patient_id)
    return 201, services.record_assessment(
        patient=patient, instrument=body.instrument, items=body.items, assessed_at=body.assessed_at,
        point_key=body.point_key, occurrence=body.occurrence, source="api", by=request.user)


@router.get("/patients/{patient_id}/assessments", response=list[AssessmentOut])
@api_allow(Perm.VIEW_QUESTIONNAIRES)
def list_assessments(request: ClinicRequest, patient_id: int) -> list[Any]:
    patient = get_in_clinic(Patient, request.clinic, pk=patient_id)
    audit_read(request, "assessment_list_view", patient=patient, via="api")
    return list(queries.assessments_of(patient))


@router.post("/patients/{patient_id}/links", response={201: LinkOut})
@api_allow(Perm.SEND_QUESTIONNAIRE_LINKS)
def issue_link(request: ClinicRequest, patient_id: int, body: LinkIn) -> tuple[int, dict[str, Any]]:
    patient = get_in_clinic(Patient, request.clinic, pk=patient_id)
    link, token = services.issue_link(patient=patient, instrument=body.instrument, point_key=body.point_key,
                                      occurrence=body.occurrence, channels=body.channels, by=request.user)
    return 201, {"id": link.pk, "instrument": link.instrument, "url": link_url(token), "expires_at": link.expires_at,
                 "channels": link.channels}


@router.get("/due", response=list[DueOut])
@api_allow(Perm.VIEW_PATIENTS)
def due(request: ClinicRequest) -> list[dict[str, Any]]:
    items = queries.due_items(request.clinic, datetime.now(UTC))
    audit_read(request, "due_list_view", via="api", count=len(items))
    return [{"patient_id": i.patient.pk, "mrn": i.patient.mrn, "course_id": i.course.pk, "instrument": i.slot.instrument,
             "point_key": i.slot.point_key, "label": i.label, "occurrence": i.slot.occurrence, "status": i.status,
             "opens_at": i.slot.opens_at, "due_by": i.slot.due_by} for i in items]
