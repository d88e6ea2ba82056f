"""Patient and Condition (the PTSD diagnosis) from a KetaCare patient."""

from typing import Any

from .. import codes
from .common import coding, concept, day, instant, meta, prune, ref

ICD10_DISPLAY = {"F43.10": "Post-traumatic stress disorder, unspecified", "F43.11": "Post-traumatic stress disorder, acute",
                 "F43.12": "Post-traumatic stress disorder, chronic"}


def mrn_identifier(patient: Any) -> dict[str, Any]:
    return {"use": "usual", "type": concept(codes.IDENTIFIER_TYPE, "MR", "Medical record number"),
            "system": codes.mrn_system(patient.clinic.slug), "value": patient.mrn}


def _telecom(phone: str, email: str = "") -> list[dict[str, str]]:
    out = [{"system": "phone", "value": phone}] if phone else []
    return out + ([{"system": "email", "value": email}] if email else [])


def _escort(patient: Any) -> list[dict[str, Any]]:
    if not patient.escort_name:
        return []
    return [prune({"relationship": [concept(codes.CONTACT_ROLE, "C", "Emergency Contact", text="Escort")],
                   "name": {"text": patient.escort_name}, "telecom": _telecom(patient.escort_phone)})]


def patient_resource(patient: Any) -> dict[str, Any]:
    """Patient: the MRN under the clinic's identifier system, name, sex, birth date, escort."""
    return prune({
        "resourceType": "Patient", "id": str(patient.pk), "meta": meta(patient.created_at),
        "identifier": [mrn_identifier(patient)], "active": True,
        "name": [{"use": "official", "family": patient.family_name, "given": [patient.given_name]}],
        "telecom": _telecom(patient.phone, patient.email), "gender": patient.sex, "birthDate": day(patient.date_of_birth),
        "contact": _escort(patient), "managingOrganization": ref("Organization", patient.clinic_id),
    })


def condition_resource(patient: Any) -> dict[str, Any] | None:
    """Condition: the confirmed PTSD diagnosis, ICD-10-CM and SNOMED CT (CLINICAL.md s5); None without one."""
    code = patient.diagnosis_code
    if not code:
        return None
    return {
        "resourceType": "Condition", "id": str(patient.pk), "meta": meta(patient.created_at),
        "clinicalStatus": concept(codes.CONDITION_CLINICAL, "active", "Active"),
        "verificationStatus": concept(codes.CONDITION_VERIFICATION, "confirmed", "Confirmed"),
        "category": [concept(codes.CONDITION_CATEGORY, "problem-list-item", "Problem List Item")],
        "code": {"coding": [coding(codes.ICD10CM, code, ICD10_DISPLAY.get(code)), coding(codes.SNOMED, *codes.PTSD_SNOMED)],
                 "text": "Post-traumatic stress disorder"},
        "subject": ref("Patient", patient.pk), "recordedDate": instant(patient.created_at),
    }
