"""Observations of the vital-signs profile from a set of readings and the check-in weight (CLINICAL.md s5)."""

from collections.abc import Iterator
from typing import Any

from .. import codes
from .common import coding, concept, instant, meta, prune, quantity, ref

VITAL_SIGNS = concept(codes.OBS_CATEGORY, "vital-signs", "Vital Signs")
PROFILE = "http://hl7.org/fhir/StructureDefinition/"
# suffix -> (field, LOINC codes, display, UCUM unit, profile)
SINGLE = (
    ("hr", "heart_rate_bpm", ("8867-4",), "Heart rate", "/min", "heartrate"),
    ("spo2", "spo2_pct", ("2708-6", "59408-5"), "Oxygen saturation in Arterial blood by Pulse oximetry", "%", "oxygensat"),
    ("rr", "resp_rate_per_min", ("9279-1",), "Respiratory rate", "/min", "resprate"),
    ("etco2", "etco2_mmhg", ("19891-1",), "Carbon dioxide [Partial pressure] in Exhaled gas --at end expiration",
     "mm[Hg]", None),
)
SUFFIXES = ("bp",) + tuple(s[0] for s in SINGLE)


def _device(vital: Any) -> dict[str, Any] | None:
    if vital.source != "device" or not vital.device:
        return None
    return {"identifier": {"system": f"{codes.base()}/sid/device", "value": vital.device}, "display": vital.device}


def _base(vital: Any, patient_id: int, suffix: str, code: dict[str, Any], profile: str | None) -> dict[str, Any]:
    profiles = [codes.VITALS_PROFILE] + ([PROFILE + profile] if profile else [])
    return {
        "resourceType": "Observation", "id": f"vs-{vital.pk}-{suffix}", "meta": meta(vital.created_at, *profiles),
        "status": "final", "category": [VITAL_SIGNS], "code": code, "subject": ref("Patient", patient_id),
        "encounter": ref("Encounter", vital.session_id), "effectiveDateTime": instant(vital.measured_at),
        "performer": [ref("Practitioner", vital.entered_by_id)] if vital.entered_by_id else [],
        "device": _device(vital),
    }


def _bp(vital: Any, patient_id: int) -> dict[str, Any] | None:
    parts = (("8480-6", "Systolic blood pressure", vital.systolic_mmhg), ("8462-4", "Diastolic blood pressure", vital.diastolic_mmhg))
    if all(value is None for _, _, value in parts):
        return None
    code = concept(codes.LOINC, "85354-9", "Blood pressure panel with all children optional", text="Blood pressure")
    out = _base(vital, patient_id, "bp", code, "bp")
    out["component"] = [
        {"code": concept(codes.LOINC, loinc, display), "valueQuantity": quantity(value, "mm[Hg]")} if value is not None
        else {"code": concept(codes.LOINC, loinc, display), "dataAbsentReason": concept(codes.DATA_ABSENT, "not-performed")}
        for loinc, display, value in parts
    ]
    return prune(out)


def vital_resources(vital: Any, patient_id: int) -> Iterator[dict[str, Any]]:
    """One Observation per vital sign in the reading: the BP panel with components, then each single value."""
    bp = _bp(vital, patient_id)
    if bp is not None:
        yield bp
    for suffix, field, loincs, display, unit, profile in SINGLE:
        value = getattr(vital, field)
        if value is None:
            continue
        code = {"coding": [coding(codes.LOINC, c, display if i == 0 else "Oxygen saturation in Arterial blood")
                           for i, c in enumerate(loincs)], "text": display}
        out = _base(vital, patient_id, suffix, code, profile)
        out["valueQuantity"] = quantity(value, unit)
        yield prune(out)


def weight_resource(session: Any) -> dict[str, Any] | None:
    """Observation: the body weight taken at check-in (LOINC 29463-7)."""
    if session.checkin_weight_kg is None or session.checked_in_at is None:
        return None
    return prune({
        "resourceType": "Observation", "id": f"wt-{session.pk}",
        "meta": meta(session.checked_in_at, codes.VITALS_PROFILE, PROFILE + "bodyweight"),
        "status": "final", "category": [VITAL_SIGNS], "code": concept(codes.LOINC, "29463-7", "Body weight", text="Body weight"),
        "subject": ref("Patient", session.patient_id), "encounter": ref("Encounter", session.pk),
        "effectiveDateTime": instant(session.checked_in_at), "valueQuantity": quantity(session.checkin_weight_kg, "kg"),
        "performer": [ref("Practitioner", session.checked_in_by_id)] if session.checked_in_by_id else [],
    })
