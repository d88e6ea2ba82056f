"""The CapabilityStatement at /fhir/metadata: every type, its interactions and search parameters, SMART, Bulk Data."""

from typing import Any

from .params import TYPE_PARAMS
from .sources import PATIENT_TYPES, RESOURCE_TYPES

SMART_EXT = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris"
BULK_DATA = "http://hl7.org/fhir/uv/bulkdata/CapabilityStatement/bulk-data"
KIND = {"token": "token", "date": "date", "reference": "reference", "patient": "reference"}
INCLUDABLE = ("reference", "patient")
COMMON_DOCS = {"_id": "token", "_lastUpdated": "date"}


def _search_params(resource_type: str) -> list[dict[str, Any]]:
    params = [{"name": name, "type": kind} for name, kind in COMMON_DOCS.items()]
    return params + [{"name": name, "type": KIND[p.kind], **({"documentation": p.description} if p.description else {})}
                     for name, p in TYPE_PARAMS[resource_type].items()]


def _resource(resource_type: str) -> dict[str, Any]:
    includes = [f"{resource_type}:{n}" for n, p in TYPE_PARAMS[resource_type].items() if p.kind in INCLUDABLE]
    revincludes = [f"{t}:{n}" for t, ps in TYPE_PARAMS.items() for n, p in ps.items()
                   if p.kind in INCLUDABLE and (resource_type == "Patient" and p.kind == "patient" or p.kind == "reference")]
    out: dict[str, Any] = {
        "type": resource_type, "interaction": [{"code": "read"}, {"code": "search-type"}],
        "versioning": "no-version", "readHistory": False, "searchInclude": includes, "searchRevInclude": revincludes,
        "searchParam": _search_params(resource_type),
    }
    if resource_type == "Patient":
        out["operation"] = [{"name": "everything", "definition": "http://hl7.org/fhir/OperationDefinition/Patient-everything"},
                            {"name": "export", "definition": "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/patient-export"}]
    if resource_type in ("Patient", "Condition", "MedicationStatement", "AllergyIntolerance"):
        out["interaction"].append({"code": "create"})
        out["interaction"].append({"code": "update"})
    return out


def capability_statement(base_url: str, token_url: str, published_at: str) -> dict[str, Any]:
    """What this server does, for clients to discover (fhirclient reads it with strict R4 models)."""
    return {
        "resourceType": "CapabilityStatement", "id": "ketacare", "status": "active", "date": published_at,
        "kind": "instance", "name": "KetaCareFHIR", "title": "KetaCare FHIR R4 API", "publisher": "KetaCare",
        "instantiates": [BULK_DATA], "software": {"name": "KetaCare"},
        "implementation": {"description": "KetaCare FHIR R4 API (read, search, referral transaction, Bulk Data export)",
                           "url": base_url},
        "fhirVersion": "4.0.1", "format": ["application/fhir+json", "json"],
        "rest": [_rest(token_url)],
    }


def _rest(token_url: str) -> dict[str, Any]:
    return {
        "mode": "server",
        "security": {
            "cors": False,
            "service": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                                     "code": "SMART-on-FHIR"}], "text": "SMART Backend Services (client_credentials, private_key_jwt)"}],
            "extension": [{"url": SMART_EXT, "extension": [{"url": "token", "valueUri": token_url}]}],
            "description": "Bearer tokens: a SMART Backend Services access token, or a staff API token limited by role.",
        },
        "resource": [_resource(t) for t in RESOURCE_TYPES],
        "interaction": [{"code": "transaction"}],
        "operation": [
            {"name": "export", "definition": "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export"},
            {"name": "group-export", "definition": "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/group-export"},
        ],
        "documentation": f"Patient compartment types served by $everything: {', '.join(PATIENT_TYPES)}.",
    }
