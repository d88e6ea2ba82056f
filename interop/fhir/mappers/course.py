"""MedicationRequest (the course order) and CarePlan (the course and its infusions)."""

from typing import Any

from .. import codes
from .common import concept, instant, meta, prune, quantity, ref

REQUEST_STATUS = {"active": "active", "completed": "completed", "stopped": "stopped"}
PLAN_STATUS = {"active": "active", "completed": "completed", "stopped": "revoked"}


def _reason(patient: Any) -> list[dict[str, str]]:
    return [ref("Condition", patient.pk)] if patient.diagnosis_code else []


def _dosage(course: Any) -> dict[str, Any]:
    snap = course.protocol_snapshot or {}
    n, minutes = int(snap.get("n_infusions", 0)), snap.get("infusion_min")
    text = f"{course.mg_per_kg} mg/kg IV over {minutes} min, {n} infusions ({course.get_weight_basis_display().lower()})"
    return prune({
        "text": text, "route": concept(codes.SNOMED, *codes.IV_ROUTE_SNOMED),
        "timing": {"repeat": prune({"count": n or None, "duration": int(minutes) if minutes else None,
                                    "durationUnit": "min" if minutes else None})},
        "doseAndRate": [{"doseQuantity": quantity(course.mg_per_kg, "mg/kg")}],
    })


def medication_request_resource(course: Any) -> dict[str, Any]:
    """MedicationRequest: ketamine at the ordered mg/kg, IV, with the number of infusions."""
    patient = course.patient
    return prune({
        "resourceType": "MedicationRequest", "id": str(course.pk), "meta": meta(course.ended_at or course.ordered_at),
        "status": REQUEST_STATUS.get(course.status, "unknown"), "intent": "order",
        "medicationCodeableConcept": codes.KETAMINE, "subject": ref("Patient", patient.pk),
        "authoredOn": instant(course.ordered_at), "requester": ref("Practitioner", course.ordered_by_id),
        "reasonReference": _reason(patient), "dosageInstruction": [_dosage(course)],
        "note": [{"text": course.notes}] if course.notes else [],
    })


def care_plan_resource(course: Any, session_ids: list[int]) -> dict[str, Any]:
    """CarePlan: the course, its order as the activity and the infusion sessions as outcomes."""
    activity = prune({"reference": ref("MedicationRequest", course.pk),
                      "outcomeReference": [ref("Encounter", pk) for pk in session_ids]})
    return prune({
        "resourceType": "CarePlan", "id": str(course.pk), "meta": meta(course.ended_at or course.ordered_at),
        "status": PLAN_STATUS.get(course.status, "unknown"), "intent": "order",
        "title": f"Ketamine infusion course ({course.protocol_snapshot.get('name', 'protocol')})",
        "subject": ref("Patient", course.patient_id),
        "period": prune({"start": instant(course.ordered_at), "end": instant(course.ended_at)}),
        "created": instant(course.ordered_at), "author": ref("Practitioner", course.ordered_by_id),
        "addresses": _reason(course.patient), "activity": [activity],
    })
