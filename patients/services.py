"""Every write of the patients app: registration, history, eligibility screening."""

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction

from accounts.actors import Actor
from accounts.models import Clinic, User
from accounts.permissions import Perm
from accounts.queries import require
from audit import services as audit
from clinical import eligibility as kernel
from clinical.errors import ClinicalError
from toolkit import phones
from toolkit.errors import ServiceError
from toolkit.locking import for_update

from .choices import AllergySeverity, IntakeKind, ScreeningOutcome
from .models import (
    Allergy,
    CurrentMedication,
    EligibilityScreening,
    IntakeAmendment,
    Patient,
    PriorTreatment,
    TraumaEvent,
)
from .policy import eligibility_policy

PATIENT_FIELDS = {
    "mrn", "given_name", "family_name", "date_of_birth", "sex", "height_cm", "weight_kg", "phone", "email",
    "escort_name", "escort_phone", "diagnosis_code", "referral_source", "medical_history",
}


Child = TypeVar("Child", bound=models.Model)

def check_demographics(values: dict[str, Any], today: date) -> dict[str, str]:
    """Return a message per field that is out of range; empty when all is well."""
    errors: dict[str, str] = {}
    dob = values.get("date_of_birth")
    if dob is not None and (dob > today or dob.year < today.year - 120):
        errors["date_of_birth"] = "Date of birth must be in the past and within 120 years."
    height = values.get("height_cm")
    if height is not None and not Decimal("100") <= Decimal(height) <= Decimal("250"):
        errors["height_cm"] = "Height must be between 100 and 250 cm."
    weight = values.get("weight_kg")
    if weight is not None and not Decimal("30") <= Decimal(weight) <= Decimal("350"):
        errors["weight_kg"] = "Weight must be between 30 and 350 kg."
    if "mrn" in values and not str(values["mrn"]).strip():
        errors["mrn"] = "The MRN is required."
    if values.get("email"):
        try:
            validate_email(values["email"])
        except ValidationError:
            errors["email"] = "Enter a valid email address, or leave it empty."
    return errors


PHONE_FIELDS = ("phone", "escort_phone")


def normalise_phones(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Return the values with every phone number in E.164, and a message per number that is not valid."""
    out, errors = dict(values), {}
    for key in PHONE_FIELDS:
        if key in out and out[key] is not None:
            try:
                out[key] = phones.to_e164(str(out[key]))
            except ValueError as exc:
                errors[key] = str(exc)
    return out, errors


def detail_problems(values: dict[str, Any]) -> dict[str, str]:
    """Every problem of a patient's details the service finds (for a form that refused some fields itself)."""
    known = {k: v for k, v in values.items() if k in PATIENT_FIELDS}
    known, errors = normalise_phones(known)
    return {**check_demographics(known, datetime.now(UTC).date()), **errors}


def _refuse_bad_details(values: dict[str, Any]) -> dict[str, Any]:
    """Return the values to store (phones in E.164); refuse them with every problem named at once."""
    unknown = set(values) - PATIENT_FIELDS
    if unknown:
        raise ServiceError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    values, errors = normalise_phones(values)
    errors.update(check_demographics(values, datetime.now(UTC).date()))
    if errors:
        raise ServiceError("Some details are out of range; nothing was saved.", errors)
    return values


MRN_TAKEN = "This MRN is taken (MRNs are compared without regard to case)."


def refuse_taken_mrn(*, clinic: Clinic, mrn: str, patient_id: int | None = None) -> None:
    """Refuse an MRN another patient of the clinic already has, whatever its case ("mrn-7" is "MRN-7")."""
    others = Patient.objects.filter(clinic=clinic, mrn__iexact=str(mrn).strip())
    if patient_id is not None:
        others = others.exclude(pk=patient_id)
    taken = others.values_list("mrn", flat=True).first()
    if taken is not None:
        raise ServiceError(f"A patient with this MRN already exists in this clinic: {taken}.", {"mrn": MRN_TAKEN})


def register_patient(*, clinic: Clinic, values: dict[str, Any], by: Actor) -> Patient:
    """Register a patient in the clinic; the MRN must be new to the clinic, in any case."""
    values = _refuse_bad_details(values)
    refuse_taken_mrn(clinic=clinic, mrn=values.get("mrn", ""))
    try:
        with transaction.atomic():
            patient = Patient.objects.create(clinic=clinic, **values)
            audit.record(action="patient_create", by=by, clinic=clinic, patient=patient, obj=patient)
    except IntegrityError:
        raise ServiceError("A patient with this MRN already exists in this clinic.", {"mrn": MRN_TAKEN}) from None
    return patient


def update_patient(*, patient: Patient, values: dict[str, Any], by: Actor) -> Patient:
    """Change a patient's details; the audit event keeps what changed."""
    values = _refuse_bad_details(values)
    if "mrn" in values:
        refuse_taken_mrn(clinic=patient.clinic, mrn=values["mrn"], patient_id=patient.pk)
    changed = {k: [str(getattr(patient, k)), str(v)] for k, v in values.items() if getattr(patient, k) != v}
    try:
        with transaction.atomic():
            Patient.objects.filter(pk=patient.pk).update(**values)
            audit.record(action="patient_update", by=by, clinic=patient.clinic, patient=patient, obj=patient,
                         detail={"fields": sorted(changed)})
    except IntegrityError:
        raise ServiceError("A patient with this MRN already exists in this clinic.", {"mrn": MRN_TAKEN}) from None
    patient.refresh_from_db()
    return patient


def _add_child(model: type[Child], action: str, *, patient: Patient, values: dict[str, Any], by: Actor) -> Child:
    with transaction.atomic():
        row = model._default_manager.create(clinic=patient.clinic, patient=patient, **values)
        audit.record(action=action, by=by, clinic=patient.clinic, patient=patient, obj=row)
    return row


def _check_trauma(patient: Patient, values: dict[str, Any]) -> dict[str, str]:
    year = values.get("year")
    if year is not None and not patient.date_of_birth.year <= year <= datetime.now(UTC).year:
        return {"year": "The year must lie between the patient's birth and today."}
    return {}


def _check_treatment(patient: Patient, values: dict[str, Any]) -> dict[str, str]:
    weeks = values.get("weeks")
    if weeks is not None and not 0 < weeks <= 520:
        return {"weeks": "Weeks must be between 1 and 520."}
    return {}


def _check_named(patient: Patient, values: dict[str, Any]) -> dict[str, str]:
    key = "substance" if "substance" in values else "name"
    return {key: "This is required."} if key in values and not str(values[key]).strip() else {}


def _check_allergy(patient: Patient, values: dict[str, Any]) -> dict[str, str]:
    errors = _check_named(patient, values)
    if "severity" in values and values["severity"] not in AllergySeverity.values:
        errors["severity"] = "Choose mild, moderate, severe or not known."
    return errors


# kind -> (model, its fields, the check of its values, audit action of an addition)
INTAKE: dict[str, tuple[type[models.Model], tuple[str, ...], Any, str]] = {
    IntakeKind.TRAUMA: (TraumaEvent, ("kind", "year", "description"), _check_trauma, "trauma_add"),
    IntakeKind.TREATMENT: (PriorTreatment, ("kind", "name", "dose", "weeks", "adequate", "outcome"), _check_treatment,
                           "treatment_add"),
    IntakeKind.MEDICATION: (CurrentMedication, ("name", "dose"), _check_named, "medication_add"),
    IntakeKind.ALLERGY: (Allergy, ("substance", "reaction", "severity"), _check_allergy, "allergy_add"),
}


def intake_problems(*, patient: Patient, kind: str, values: dict[str, Any]) -> dict[str, str]:
    """Every problem of an intake row's values the service finds (for a form that refused some fields itself)."""
    model, fields, check, _ = INTAKE[kind]
    return check(patient, {k: v for k, v in values.items() if k in fields})


def _add_intake(kind: str, *, patient: Patient, values: dict[str, Any], by: Actor) -> Any:
    model, fields, check, action = INTAKE[kind]
    unknown = set(values) - set(fields)
    if unknown:
        raise ServiceError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    errors = check(patient, values)
    if errors:
        raise ServiceError(f"Nothing was saved: {' '.join(errors.values())}", errors)
    return _add_child(model, action, patient=patient, values=values, by=by)


def add_trauma_event(*, patient: Patient, values: dict[str, Any], by: Actor) -> TraumaEvent:
    """Record one traumatic event in the patient's history."""
    return _add_intake(IntakeKind.TRAUMA, patient=patient, values=values, by=by)


def add_prior_treatment(*, patient: Patient, values: dict[str, Any], by: Actor) -> PriorTreatment:
    """Record a psychotherapy or medication trial before the program."""
    return _add_intake(IntakeKind.TREATMENT, patient=patient, values=values, by=by)


def add_current_medication(*, patient: Patient, values: dict[str, Any], by: Actor) -> CurrentMedication:
    """Record a medication the patient takes now."""
    return _add_intake(IntakeKind.MEDICATION, patient=patient, values=values, by=by)


def add_allergy(*, patient: Patient, values: dict[str, Any], by: Actor) -> Allergy:
    """Record a drug allergy (substance, reaction, severity) at intake."""
    return _add_intake(IntakeKind.ALLERGY, patient=patient, values=values, by=by)


MIN_REASON = 10


def _jsonable(value: Any) -> Any:
    return value if value is None or isinstance(value, bool | int | str) else str(value)


def amend_intake_row(*, patient: Patient, kind: str, row_id: int, values: dict[str, Any], reason: str, by: User) -> IntakeAmendment:
    """Change an intake row with a reason; the values before are kept in an IntakeAmendment and the change audited."""
    if kind not in INTAKE:
        raise ServiceError(f"Unknown kind of intake row {kind!r}.")
    model, fields, check, _ = INTAKE[kind]
    errors: dict[str, str] = {}
    unknown = set(values) - set(fields)
    if unknown:
        raise ServiceError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    if len(reason.strip()) < MIN_REASON:
        errors["reason"] = f"Say why the record is amended (at least {MIN_REASON} characters)."
    errors.update(check(patient, values))
    if errors:
        raise ServiceError(f"The amendment was not saved: {' '.join(errors.values())}", errors)
    with transaction.atomic():
        row = for_update(model._default_manager.filter(patient=patient)).filter(pk=row_id).first()
        if row is None:
            raise ServiceError("No such row in this patient's intake.")
        before = {f: _jsonable(getattr(row, f)) for f in fields}
        after = {**before, **{f: _jsonable(v) for f, v in values.items()}}
        if after == before:
            raise ServiceError("Nothing changed: the amendment would keep every value as it is.")
        model._default_manager.filter(pk=row.pk).update(**values)
        amendment = IntakeAmendment.objects.create(
            clinic=patient.clinic, patient=patient, kind=kind, row_id=row.pk, before=before, after=after,
            reason=reason.strip(), amended_by=by, amended_at=datetime.now(UTC))
        audit.record(action="intake_amend", by=by, clinic=patient.clinic, patient=patient, obj=amendment,
                     detail={"kind": kind, "row": row.pk, "fields": sorted(k for k in after if after[k] != before[k])})
    return amendment



def evaluate_screening(*, patient: Patient, contraindications: list[str], justifications: dict[str, str]) -> kernel.ScreeningResult:
    """Run the kernel checklist on the patient's recorded history (no write)."""
    trials = tuple(
        kernel.PriorTrial(name=t.name, kind=kernel.TrialKind(t.kind), adequate=t.adequate, outcome=kernel.TrialOutcome(t.outcome))
        for t in patient.prior_treatments.all()
    )
    facts = kernel.ScreeningFacts(
        diagnosis_codes=(patient.diagnosis_code,) if patient.diagnosis_code else (),
        prior_trials=trials,
        contraindications=frozenset(contraindications),
        justifications={k: v for k, v in justifications.items() if v.strip()},
    )
    return kernel.screen(facts, eligibility_policy(patient.clinic))


def screen_patient(
    *, patient: Patient, contraindications: list[str], justifications: dict[str, str], sign: bool, by: User,
    at: datetime | None = None,
) -> EligibilityScreening:
    """Store a screening; a prescriber may sign it when the kernel allows."""
    if sign:
        require(Perm.SIGN_SCREENING, by, patient.clinic, to="sign an eligibility screening")
    try:
        result = evaluate_screening(patient=patient, contraindications=contraindications, justifications=justifications)
    except ClinicalError as exc:
        raise ServiceError(str(exc)) from None
    if sign and not kernel.can_sign(result, justifications):
        missing = kernel.missing_justifications(result, justifications)
        if result.outcome is kernel.ScreeningOutcome.INELIGIBLE:
            raise ServiceError("An ineligible screening cannot be signed as eligible; save it unsigned.")
        raise ServiceError("Each relative contraindication needs a written justification before signing.",
                           {f"justify_{c}": "Write why the benefit outweighs this risk." for c in missing})
    now = at or datetime.now(UTC)
    outcome = ScreeningOutcome.ELIGIBLE if sign and result.outcome is kernel.ScreeningOutcome.NEEDS_REVIEW else ScreeningOutcome(result.outcome.value)
    with transaction.atomic():
        screening = EligibilityScreening.objects.create(
            clinic=patient.clinic, patient=patient, diagnosis_code=patient.diagnosis_code,
            contraindications=sorted(contraindications), justifications={k: v for k, v in justifications.items() if v.strip()},
            failed_trials=result.failed_trials, outcome=outcome,
            reasons=[{"code": r.code.value, "text": r.text, "subject": r.subject} for r in result.reasons],
            policy={"min_failed_trials": result.policy.min_failed_trials,
                    "absolute": [c.code for c in result.policy.absolute], "relative": [c.code for c in result.policy.relative]},
            screened_by=by, screened_at=now, signed_by=by if sign else None, signed_at=now if sign else None,
        )
        audit.record(action="screening_sign" if sign else "screening_save", by=by, clinic=patient.clinic,
                     patient=patient, obj=screening, detail={"outcome": outcome})
    return screening


def current_eligibility(patient: Patient) -> EligibilityScreening | None:
    """The latest signed screening, if any."""
    return patient.screenings.filter(signed_at__isnull=False).order_by("-signed_at").first()
