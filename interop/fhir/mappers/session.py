"""Encounter (an infusion session) and MedicationAdministration (the infusion given)."""

from typing import Any

from .. import codes
from .common import concept, instant, meta, prune, quantity, ref

ENCOUNTER_STATUS = {
    "scheduled": "planned", "checked_in": "arrived", "dose_verified": "arrived", "infusing": "in-progress",
    "paused": "in-progress", "recovering": "in-progress", "discharged": "finished", "stopped_early": "finished",
    "transferred": "finished", "cancelled": "cancelled",
}
ADMIN_STATUS = {"infusing": "in-progress", "paused": "on-hold", "recovering": "completed", "discharged": "completed",
                "stopped_early": "stopped", "transferred": "stopped"}


def last_updated(session: Any) -> Any:
    times = [t for t in (session.created_at, session.checked_in_at, session.started_at, session.infusion_ended_at,
                         session.discharged_at, session.signed_at) if t is not None]
    return max(times)


def _participants(session: Any) -> list[dict[str, Any]]:
    roles = (("checked_in_by_id", "ADM", "admitter"), ("dose_verified_by_id", "PART", "Participation"),
             ("discharged_by_id", "DIS", "discharger"), ("signed_by_id", "ATND", "attender"))
    return [{"type": [concept(codes.PARTICIPATION, code, display)], "individual": ref("Practitioner", getattr(session, field))}
            for field, code, display in roles if getattr(session, field)]


def encounter_resource(session: Any) -> dict[str, Any]:
    """Encounter: class AMB, the period from check-in to discharge, the chair and the staff."""
    planned = session.state in ("scheduled", "cancelled")
    start = session.scheduled_start if planned or not session.checked_in_at else session.checked_in_at
    end = session.scheduled_end if planned else session.discharged_at
    return prune({
        "resourceType": "Encounter", "id": str(session.pk), "meta": meta(last_updated(session)),
        "status": ENCOUNTER_STATUS.get(session.state, "unknown"),
        "class": {"system": codes.ACT_CODE, "code": "AMB", "display": "ambulatory"},
        "type": [{"text": f"Ketamine infusion {session.number}"}],
        "subject": ref("Patient", session.patient_id), "participant": _participants(session),
        "period": prune({"start": instant(start), "end": instant(end)}),
        "reasonReference": [ref("Condition", session.patient_id)] if session.patient.diagnosis_code else [],
        "location": [{"location": ref("Location", session.chair_id), "status": "completed" if end else "active"}],
        "serviceProvider": ref("Organization", session.clinic_id),
    })


def medication_administration_resource(session: Any) -> dict[str, Any] | None:
    """MedicationAdministration: the dose given in mg at its pump rate, over the infusion; None before it starts."""
    if session.started_at is None:
        return None
    dosage = prune({"route": concept(codes.SNOMED, *codes.IV_ROUTE_SNOMED),
                    "dose": quantity(session.total_mg, "mg") if session.total_mg is not None else None,
                    "rateQuantity": quantity(session.rate_ml_per_h, "mL/h") if session.rate_ml_per_h is not None else None})
    performer = session.dose_verified_by_id or session.checked_in_by_id
    return prune({
        "resourceType": "MedicationAdministration", "id": str(session.pk), "meta": meta(last_updated(session)),
        "status": ADMIN_STATUS.get(session.state, "unknown"), "medicationCodeableConcept": codes.KETAMINE,
        "subject": ref("Patient", session.patient_id), "context": ref("Encounter", session.pk),
        "effectivePeriod": prune({"start": instant(session.started_at), "end": instant(session.infusion_ended_at)}),
        "performer": [{"actor": ref("Practitioner", performer)}] if performer else [],
        "request": ref("MedicationRequest", session.course_id),
        "reasonReference": [ref("Condition", session.patient_id)] if session.patient.diagnosis_code else [],
        "dosage": dosage,
    })
