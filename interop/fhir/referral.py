"""The referral write: a transaction Bundle (Patient, Condition, MedicationStatement, AllergyIntolerance) filed at intake.

Every entry is read and checked first, so the OperationOutcome names every problem at once;
then one database transaction creates or updates the patient (matched by MRN) through the
patients services. Nothing is written unless everything is.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from pydantic import ValidationError

from .codes import ICD10CM, mrn_system
from .emit import model_class

TYPES = ("Patient", "Condition", "MedicationStatement", "AllergyIntolerance")
PTSD_CODES = ("F43.10", "F43.11", "F43.12")
GENDERS = {"female", "male", "other", "unknown"}


@dataclass
class Referral:
    patient: dict[str, Any] = field(default_factory=dict)  # values for patients.services
    patient_ref: set[str] = field(default_factory=set)  # how other entries may reference the patient
    medications: list[dict[str, str]] = field(default_factory=list)
    allergies: list[dict[str, str]] = field(default_factory=list)  # values for patients.services.add_allergy
    problems: list[str] = field(default_factory=list)


def _fhir_problems(where: str, resource: dict[str, Any]) -> list[str]:
    try:
        model_class(resource["resourceType"]).model_validate(resource)
    except ValidationError as exc:
        return [f"{where}.{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5]]
    return []


def _patient_values(where: str, resource: dict[str, Any], clinic_slug: str, problems: list[str]) -> dict[str, Any]:
    system = mrn_system(clinic_slug)
    mrns = [i.get("value") for i in resource.get("identifier", []) if i.get("system") == system and i.get("value")]
    if len(mrns) != 1:
        problems.append(f"{where}.identifier: give exactly one MRN with system {system}.")
    name = (resource.get("name") or [{}])[0]
    values: dict[str, Any] = {"mrn": mrns[0] if mrns else "", "family_name": name.get("family", ""),
                              "given_name": " ".join(name.get("given", []))}
    for key, label in (("family_name", "name.family"), ("given_name", "name.given")):
        if not values[key].strip():
            problems.append(f"{where}.{label}: required.")
    gender = resource.get("gender")
    if gender not in GENDERS:
        problems.append(f"{where}.gender: required, one of {', '.join(sorted(GENDERS))}.")
    values["sex"] = gender
    try:
        values["date_of_birth"] = date.fromisoformat(resource.get("birthDate", ""))
    except ValueError:
        problems.append(f"{where}.birthDate: required as a full date (YYYY-MM-DD).")
    for telecom in resource.get("telecom", []):
        if telecom.get("system") in ("phone", "email") and telecom.get("value"):
            values.setdefault("phone" if telecom["system"] == "phone" else "email", telecom["value"])
    return values


def _references_patient(where: str, resource: dict[str, Any], referral: Referral) -> None:
    key = "patient" if resource["resourceType"] == "AllergyIntolerance" else "subject"
    reference = (resource.get(key) or {}).get("reference")
    if reference not in referral.patient_ref:
        referral.problems.append(f"{where}.{key}: must reference the Bundle's Patient ({' or '.join(sorted(referral.patient_ref))}).")


def _condition(where: str, resource: dict[str, Any], referral: Referral) -> None:
    codes = [c.get("code") for c in resource.get("code", {}).get("coding", []) if c.get("system") == ICD10CM]
    ptsd = [c for c in codes if c in PTSD_CODES]
    if len(ptsd) != 1:
        referral.problems.append(f"{where}.code: KetaCare files a PTSD diagnosis with one ICD-10-CM code of "
                                 f"{', '.join(PTSD_CODES)} (system {ICD10CM}).")
    else:
        referral.patient["diagnosis_code"] = ptsd[0]


def _text_of(concept: dict[str, Any]) -> str:
    return str(concept.get("text") or next((c.get("display") or c.get("code") for c in concept.get("coding", [])), "") or "")


def _medication(where: str, resource: dict[str, Any], referral: Referral) -> None:
    name = _text_of(resource.get("medicationCodeableConcept") or {})
    if not name.strip():
        referral.problems.append(f"{where}.medicationCodeableConcept: name the medication (text or coding display).")
    elif len(name) > 80:
        referral.problems.append(f"{where}.medicationCodeableConcept: the name is longer than 80 characters.")
    dose = " ".join(d.get("text", "") for d in resource.get("dosage", [])).strip()[:80]
    referral.medications.append({"name": name.strip(), "dose": dose})


SEVERITY_ORDER = ["mild", "moderate", "severe"]  # FHIR reaction.severity, mildest first


def _allergy(where: str, resource: dict[str, Any], referral: Referral) -> None:
    substance = _text_of(resource.get("code") or {})
    if not substance.strip():
        referral.problems.append(f"{where}.code: name the substance (text or coding display).")
        return
    reactions = [_text_of(m) for r in resource.get("reaction", []) for m in r.get("manifestation", [])]
    severities = [r.get("severity") for r in resource.get("reaction", []) if r.get("severity")]
    worst = max(severities, key=SEVERITY_ORDER.index) if severities else "unknown"
    referral.allergies.append({"substance": substance.strip()[:80], "reaction": ", ".join(r for r in reactions if r)[:200],
                               "severity": worst})


def read_referral(bundle: Any, clinic_slug: str) -> Referral:
    """Check a transaction Bundle and gather what to file; `problems` lists everything wrong."""
    referral = Referral()
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle" or bundle.get("type") != "transaction":
        referral.problems.append("Bundle: POST a Bundle of type transaction.")
        return referral
    entries = bundle.get("entry") or []
    patients = [(i, e) for i, e in enumerate(entries) if (e.get("resource") or {}).get("resourceType") == "Patient"]
    if len(patients) != 1:
        referral.problems.append("Bundle.entry: a referral holds exactly one Patient.")
    for index, entry in patients:
        where = f"Bundle.entry[{index}].resource"
        referral.problems.extend(_fhir_problems(where, entry["resource"]))
        referral.patient = _patient_values(where, entry["resource"], clinic_slug, referral.problems)
        referral.patient_ref = {r for r in (entry.get("fullUrl"), f"Patient/{entry['resource'].get('id')}") if r}
    handlers = {"Condition": _condition, "MedicationStatement": _medication, "AllergyIntolerance": _allergy}
    for index, entry in enumerate(entries):
        resource, where = entry.get("resource") or {}, f"Bundle.entry[{index}].resource"
        kind = resource.get("resourceType")
        if kind == "Patient":
            continue
        if kind not in handlers:
            referral.problems.append(f"{where}: a referral carries only {', '.join(TYPES)}, not {kind}.")
            continue
        fhir_problems = _fhir_problems(where, resource)
        referral.problems.extend(fhir_problems)
        if not fhir_problems:
            _references_patient(where, resource, referral)
            handlers[kind](where, resource, referral)
    return referral


def demographic_problems(referral: Referral) -> list[str]:
    """The patients app's own range checks, phrased against the Patient entry."""
    from patients.services import check_demographics, normalise_phones

    values, errors = normalise_phones(referral.patient)
    errors.update(check_demographics(values, datetime.now(UTC).date()))
    return [f"Patient.{field}: {message}" for field, message in errors.items()]
