"""An audit row of a FHIR API read or write -> AuditEvent (the internal hash chain stays the source of truth)."""

from typing import Any

from .common import coding, instant, meta, prune, ref

DICOM = "http://dicom.nema.org/resources/ontology/DCM"
RESTFUL = "http://hl7.org/fhir/restful-interaction"
# The FHIR interaction behind each audited FHIR action, and its AuditEvent action code (C R U D E).
INTERACTIONS = {"fhir_read": ("read", "R"), "fhir_search": ("search-type", "E"), "fhir_everything": ("operation", "E"),
                "fhir_export": ("operation", "E"), "fhir_transaction": ("transaction", "C")}
DEFAULT_INTERACTION = ("operation", "E")


def audit_event_resource(event: Any) -> dict[str, Any]:
    interaction, action = INTERACTIONS.get(event.action, DEFAULT_INTERACTION)
    detail = event.detail or {}
    who = ref("Practitioner", event.actor_id, event.actor_label) if event.actor_id else {"display": event.actor_label}
    agent: dict[str, Any] = {"who": who, "requestor": True}
    if event.client_addr:
        agent["network"] = {"address": event.client_addr, "type": "2"}
    entities = [{"what": ref("Patient", pk)} for pk in detail.get("patients", [])[:50]] if isinstance(
        detail.get("patients"), list) else []
    if not entities and event.patient_id:
        entities = [{"what": ref("Patient", event.patient_id)}]
    query = {k: v for k, v in detail.items() if k in ("type", "id", "count") and v is not None}
    if query:
        entities.append({"type": coding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "2", "System Object"),
                         "description": ", ".join(f"{k}={v}" for k, v in query.items())})
    return prune({
        "resourceType": "AuditEvent", "id": str(event.pk), "meta": meta(event.at),
        "type": coding(DICOM, "110110", "Patient Record"), "subtype": [coding(RESTFUL, interaction)],
        "action": action, "recorded": instant(event.at), "outcome": "0", "agent": [agent],
        "source": {"observer": ref("Organization", event.clinic_id), "type": [coding(
            "http://terminology.hl7.org/CodeSystem/security-source-type", "3", "Web Server")]},
        "entity": entities,
    })
