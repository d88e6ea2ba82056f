"""AdverseEvent (suspect: the ketamine given), AllergyIntolerance and MedicationStatement."""

from typing import Any

from .. import codes
from .common import concept, instant, meta, prune, ref

OUTCOME = {"resolved": "resolved", "resolving": "recovering", "not_resolved": "ongoing",
           "resolved_with_sequelae": "resolvedWithSequelae", "fatal": "fatal", "unknown": "unknown"}


def adverse_event_resource(event: Any, infusion_started: bool) -> dict[str, Any]:
    """AdverseEvent: seriousness, severity, outcome and ketamine as the suspect with its causality."""
    suspect = ref("MedicationAdministration", event.session_id, "Ketamine") if infusion_started else {"display": "Ketamine"}
    return prune({
        "resourceType": "AdverseEvent", "id": str(event.pk), "meta": meta(event.recorded_at), "actuality": "actual",
        "event": {"text": event.description}, "subject": ref("Patient", event.patient_id),
        "encounter": ref("Encounter", event.session_id), "date": instant(event.onset_at),
        "recordedDate": instant(event.recorded_at), "recorder": ref("Practitioner", event.recorded_by_id),
        "seriousness": concept(codes.AE_SERIOUSNESS, "serious" if event.serious else "non-serious",
                               "Serious" if event.serious else "Non-serious"),
        "severity": concept(codes.AE_SEVERITY, event.severity, event.severity.title()),
        "outcome": concept(codes.AE_OUTCOME, OUTCOME.get(event.outcome, "unknown")),
        "suspectEntity": [{"instance": suspect, "causality": [
            {"assessment": {"text": event.get_relatedness_display()},
             "method": {"text": "Clinician judgement at the chair"}}]}],
    })


def medication_statement_resource(medication: Any) -> dict[str, Any]:
    """MedicationStatement: a medication the patient takes now, as recorded at intake."""
    return prune({
        "resourceType": "MedicationStatement", "id": str(medication.pk), "meta": meta(medication.created_at),
        "status": "active", "medicationCodeableConcept": {"text": medication.name},
        "subject": ref("Patient", medication.patient_id), "dateAsserted": instant(medication.created_at),
        "dosage": [{"text": medication.dose}] if medication.dose else [],
    })


def allergy_resource(allergy: Any) -> dict[str, Any]:
    """AllergyIntolerance: the drug recorded at intake, the reaction and its severity (a severe one is high criticality)."""
    severity = allergy.severity if allergy.severity in ("mild", "moderate", "severe") else None
    return prune({
        "resourceType": "AllergyIntolerance", "id": str(allergy.pk), "meta": meta(allergy.created_at),
        "clinicalStatus": concept(codes.ALLERGY_CLINICAL, "active", "Active"),
        "verificationStatus": concept(codes.ALLERGY_VERIFICATION, "confirmed", "Confirmed"),
        "type": "allergy", "category": ["medication"],
        "criticality": {"severe": "high", "mild": "low", "moderate": "low"}.get(allergy.severity, "unable-to-assess"),
        "code": {"text": allergy.substance}, "patient": ref("Patient", allergy.patient_id),
        "recordedDate": instant(allergy.created_at),
        "reaction": [prune({"manifestation": [{"text": allergy.reaction or "Reaction not described"}],
                            "severity": severity})],
    })
