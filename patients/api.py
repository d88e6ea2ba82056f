"""Patients API: the same services as the pages."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import ValidationError as PydanticError

from accounts.access import ClinicRequest, api_allow
from accounts.pages import audit_read
from accounts.permissions import Perm
from toolkit.errors import ServiceError
from toolkit.scoping import get_in_clinic
from toolkit.vocab import literal_of

from . import queries, services
from .choices import (
    AllergySeverity,
    PtsdDiagnosis,
    Sex,
    TraumaKind,
    TreatmentKind,
    TreatmentOutcome,
)
from .models import IntakeAmendment, Patient

SexValue = literal_of(Sex)
DiagnosisCode = literal_of(PtsdDiagnosis)
TreatmentKindValue = literal_of(TreatmentKind)
TreatmentOutcomeValue = literal_of(TreatmentOutcome)
TraumaKindValue = literal_of(TraumaKind)
SeverityValue = literal_of(AllergySeverity)

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


class AllergyIn(Schema):
    substance: str = Field(min_length=1, max_length=80)
    reaction: str = Field("", max_length=200)
    severity: SeverityValue = AllergySeverity.UNKNOWN.value


class AllergyOut(Schema):
    id: int
    substance: str
    reaction: str
    severity: str


@router.post("/{patient_id}/allergies", response={201: AllergyOut})
@api_allow(Perm.TAKE_HISTORY)
def add_allergy(request: HttpRequest, patient_id: int, body: AllergyIn) -> tuple[int, object]:
    return 201, services.add_allergy(patient=_patient(request, patient_id), values=body.dict(), by=request.user)


@router.get("/{patient_id}/allergies", response=list[AllergyOut])
@api_allow(Perm.VIEW_PATIENTS)
def list_allergies(request: HttpRequest, patient_id: int) -> list[object]:
    patient = _patient(request, patient_id)
    audit_read(request, "allergy_list_view", patient=patient, via="api")
    return list(patient.allergies.all())


INTAKE_SCHEMAS: dict[str, type[Schema]] = {"trauma": TraumaIn, "treatment": TreatmentIn, "medication": MedicationIn,
                                           "allergy": AllergyIn}


class AmendIn(Schema):
    values: dict[str, Any] = Field(max_length=10)
    reason: str = Field(min_length=10, max_length=2000)


class AmendmentOut(Schema):
    id: int
    kind: str
    row_id: int
    before: dict[str, Any]
    after: dict[str, Any]
    reason: str
    amended_by: str
    amended_at: datetime

    @staticmethod
    def resolve_amended_by(obj: IntakeAmendment) -> str:
        return obj.amended_by.username


def _amend_values(kind: str, row: Any, values: dict[str, Any]) -> dict[str, Any]:
    """Check the changed values with the kind's own schema (over the row's current ones); only those changed."""
    schema = INTAKE_SCHEMAS[kind]
    unknown = set(values) - set(schema.model_fields)
    if unknown:
        raise ServiceError(f"Unknown fields: {', '.join(sorted(unknown))}.", {k: "Unknown field." for k in unknown})
    current = {name: getattr(row, name) for name in schema.model_fields}
    try:
        checked = schema.model_validate({**current, **values}).dict()
    except PydanticError as exc:
        fields = {".".join(str(p) for p in e["loc"]): e["msg"] for e in exc.errors()}
        raise ServiceError("The amendment is not valid; nothing was saved.", fields) from None
    return {k: checked[k] for k in values}


def _amend(request: ClinicRequest, kind: str, row_id: int, body: AmendIn) -> object:
    found = get_in_clinic(queries.INTAKE_MODELS[kind], request.clinic, select=("patient__clinic",), pk=row_id)
    values = _amend_values(kind, found, body.values)
    return services.amend_intake_row(patient=found.patient, kind=kind, row_id=found.pk, values=values, reason=body.reason,
                                     by=request.user)


def _amendments(request: ClinicRequest, kind: str, row_id: int) -> list[object]:
    found = get_in_clinic(queries.INTAKE_MODELS[kind], request.clinic, select=("patient__clinic",), pk=row_id)
    audit_read(request, "intake_amendments_view", patient=found.patient, obj=found, via="api", detail={"kind": kind})
    return list(queries.amendments_of(found.patient, kind, found.pk))


@router.patch("/intake/trauma/{trauma_id}", response=AmendmentOut)
@api_allow(Perm.TAKE_HISTORY)
def amend_trauma(request: ClinicRequest, trauma_id: int, body: AmendIn) -> object:
    return _amend(request, "trauma", trauma_id, body)


@router.patch("/intake/treatment/{treatment_id}", response=AmendmentOut)
@api_allow(Perm.TAKE_HISTORY)
def amend_treatment(request: ClinicRequest, treatment_id: int, body: AmendIn) -> object:
    return _amend(request, "treatment", treatment_id, body)


@router.patch("/intake/medication/{medication_id}", response=AmendmentOut)
@api_allow(Perm.TAKE_HISTORY)
def amend_medication(request: ClinicRequest, medication_id: int, body: AmendIn) -> object:
    return _amend(request, "medication", medication_id, body)


@router.patch("/intake/allergy/{allergy_id}", response=AmendmentOut)
@api_allow(Perm.TAKE_HISTORY)
def amend_allergy(request: ClinicRequest, allergy_id: int, body: AmendIn) -> object:
    return _amend(request, "allergy", allergy_id, body)


@router.get("/intake/trauma/{trauma_id}/amendments", response=list[AmendmentOut])
@api_allow(Perm.VIEW_PATIENTS)
def trauma_amendments(request: ClinicRequest, trauma_id: int) -> list[object]:
    return _amendments(request, "trauma", trauma_id)


@router.get("/intake/treatment/{treatment_id}/amendments", response=list[AmendmentOut])
@api_allow(Perm.VIEW_PATIENTS)
def treatment_amendments(request: ClinicRequest, treatment_id: int) -> list[object]:
    return _amendments(request, "treatment", treatment_id)


@router.get("/intake/medication/{medication_id}/amendments", response=list[AmendmentOut])
@api_allow(Perm.VIEW_PATIENTS)
def medication_amendments(request: ClinicRequest, medication_id: int) -> list[object]:
    return _amendments(request, "medication", medication_id)


@router.get("/intake/allergy/{allergy_id}/amendments", response=list[AmendmentOut])
@api_allow(Perm.VIEW_PATIENTS)
def allergy_amendments(request: ClinicRequest, allergy_id: int) -> list[object]:
    return _amendments(request, "allergy", allergy_id)
