"""Patients API: the same services as the pages."""

from datetime import date
from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from accounts.permissions import Perm
from ketacare.access import ClinicRequest
from ketacare.api import api_allow
from ketacare.pages import audit_read
from ketacare.scoping import get_in_clinic
from ketacare.vocab import literal_of

from . import queries, services
from .choices import PtsdDiagnosis, Sex, TraumaKind, TreatmentKind, TreatmentOutcome
from .models import Patient

SexValue = literal_of(Sex)
DiagnosisCode = literal_of(PtsdDiagnosis)
TreatmentKindValue = literal_of(TreatmentKind)
TreatmentOutcomeValue = literal_of(TreatmentOutcome)
TraumaKindValue = literal_of(TraumaKind)

router = Router()


class PatientIn(Schema):
    mrn: str = Field(min_length=1, max_length=32)
    given_name: str = Field(min_length=1, max_length=80)
    family_name: str = Field(min_length=1, max_length=80)
    date_of_birth: date
    sex: SexValue
    height_cm: Decimal | None = Field(None, max_digits=5, decimal_places=1)
    weight_kg: Decimal | None = Field(None, max_digits=5, decimal_places=1)
    phone: str = Field("", max_length=32)
    email: str = Field("", max_length=254)
    escort_name: str = Field("", max_length=120)
    escort_phone: str = Field("", max_length=32)
    diagnosis_code: DiagnosisCode = ""
    referral_source: str = Field("", max_length=120)
    medical_history: str = Field("", max_length=10000)


class PatientOut(Schema):
    id: int
    mrn: str
    given_name: str
    family_name: str
    date_of_birth: date
    sex: str
    height_cm: Decimal | None
    weight_kg: Decimal | None
    diagnosis_code: str
    stage: str

    @staticmethod
    def resolve_stage(obj: Patient) -> str:
        return queries.stage_of(obj)


class TreatmentIn(Schema):
    kind: TreatmentKindValue
    name: str = Field(min_length=1, max_length=80)
    dose: str = Field("", max_length=80)
    weeks: int | None = Field(None, ge=1, le=520)
    adequate: bool = False
    outcome: TreatmentOutcomeValue = TreatmentOutcome.UNKNOWN.value


class ScreeningIn(Schema):
    contraindications: list[str] = Field(default_factory=list, max_length=50)
    justifications: dict[str, str] = Field(default_factory=dict)
    sign: bool = False


class ScreeningOut(Schema):
    id: int
    outcome: str
    reasons: list[dict[str, str]]
    failed_trials: int
    signed: bool


def _patient(request: ClinicRequest, patient_id: int) -> Patient:
    return get_in_clinic(Patient, request.clinic, pk=patient_id)


@router.get("/", response=list[PatientOut])
@api_allow(Perm.VIEW_PATIENTS)
def list_patients(request: ClinicRequest, q: str = "", page: int = Query(1, ge=1, le=100_000),
                  page_size: int = Query(200, ge=1, le=200)) -> list[Patient]:
    """Patients by name, `page_size` a page (200 at most); each row's stage is read in the same query."""
    start = (page - 1) * page_size
    rows = list(queries.with_stage(queries.search(request.clinic, q[:100]))[start:start + page_size])
    audit_read(request, "patient_list_view", q=q, count=len(rows), page=page, via="api")
    return rows


@router.post("/", response={201: PatientOut})
@api_allow(Perm.REGISTER_PATIENTS)
def create_patient(request: ClinicRequest, body: PatientIn) -> tuple[int, Patient]:
    return 201, services.register_patient(clinic=request.clinic, values=body.dict(), by=request.user)


@router.get("/{patient_id}", response=PatientOut)
@api_allow(Perm.VIEW_PATIENTS)
def get_patient(request: HttpRequest, patient_id: int) -> Patient:
    patient = _patient(request, patient_id)
    audit_read(request, "patient_view", patient=patient, obj=patient, via="api")
    return patient


@router.post("/{patient_id}/treatments", response={201: dict})
@api_allow(Perm.TAKE_HISTORY)
def add_treatment(request: HttpRequest, patient_id: int, body: TreatmentIn) -> tuple[int, dict[str, int]]:
    row = services.add_prior_treatment(patient=_patient(request, patient_id), values=body.dict(), by=request.user)
    return 201, {"id": row.pk}


@router.post("/{patient_id}/screenings", response={201: ScreeningOut})
@api_allow(Perm.SCREEN_ELIGIBILITY)
def screen_patient(request: HttpRequest, patient_id: int, body: ScreeningIn) -> tuple[int, dict[str, object]]:
    s = services.screen_patient(patient=_patient(request, patient_id), contraindications=body.contraindications,
                                justifications=body.justifications, sign=body.sign, by=request.user)
    return 201, {"id": s.pk, "outcome": s.outcome, "reasons": s.reasons, "failed_trials": s.failed_trials, "signed": s.signed}


class PatientPatch(Schema):
    given_name: str | None = Field(None, min_length=1, max_length=80)
    family_name: str | None = Field(None, min_length=1, max_length=80)
    date_of_birth: date | None = None
    sex: SexValue | None = None
    height_cm: Decimal | None = Field(None, max_digits=5, decimal_places=1)
    weight_kg: Decimal | None = Field(None, max_digits=5, decimal_places=1)
    phone: str | None = Field(None, max_length=32)
    email: str | None = Field(None, max_length=254)
    escort_name: str | None = Field(None, max_length=120)
    escort_phone: str | None = Field(None, max_length=32)
    diagnosis_code: DiagnosisCode | None = None
    referral_source: str | None = Field(None, max_length=120)
    medical_history: str | None = Field(None, max_length=10000)


class TraumaIn(Schema):
    kind: TraumaKindValue
    year: int | None = Field(None, ge=1900, le=2100)
    description: str = Field("", max_length=2000)


class MedicationIn(Schema):
    name: str = Field(min_length=1, max_length=80)
    dose: str = Field("", max_length=80)


@router.patch("/{patient_id}", response=PatientOut)
@api_allow(Perm.REGISTER_PATIENTS)
def update_patient(request: HttpRequest, patient_id: int, body: PatientPatch) -> Patient:
    return services.update_patient(patient=_patient(request, patient_id), values=body.dict(exclude_unset=True), by=request.user)


@router.post("/{patient_id}/trauma", response={201: dict})
@api_allow(Perm.TAKE_HISTORY)
def add_trauma(request: HttpRequest, patient_id: int, body: TraumaIn) -> tuple[int, dict[str, int]]:
    row = services.add_trauma_event(patient=_patient(request, patient_id), values=body.dict(), by=request.user)
    return 201, {"id": row.pk}


@router.post("/{patient_id}/medications", response={201: dict})
@api_allow(Perm.TAKE_HISTORY)
def add_medication(request: HttpRequest, patient_id: int, body: MedicationIn) -> tuple[int, dict[str, int]]:
    row = services.add_current_medication(patient=_patient(request, patient_id), values=body.dict(), by=request.user)
    return 201, {"id": row.pk}
