"""One audit event per FHIR request, naming the patient when the answer is about one patient."""

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from audit import services as audit

from .auth import Principal


def patients_in(resources: Iterable[dict[str, Any]]) -> list[int]:
    """The patients the resources belong to (a Patient itself, or its subject/patient reference)."""
    found = set()
    for resource in resources:
        if resource["resourceType"] == "Patient":
            found.add(int(resource["id"]))
            continue
        for key in ("subject", "patient"):
            reference = (resource.get(key) or {}).get("reference", "")
            if reference.startswith("Patient/") and reference[8:].isdigit():
                found.add(int(reference[8:]))
    return sorted(found)


def record_access(principal: Principal, action: str, resources: list[dict[str, Any]], detail: dict[str, Any]) -> None:
    """Audit a FHIR read, search or export in its own short transaction."""
    patients = patients_in(resources)
    detail = {**detail, "count": len(resources), "patients": patients[:500], "via": "fhir",
              "client": principal.client.client_id if principal.client is not None else None}
    with transaction.atomic():
        audit.record(action=action, by=principal.actor, clinic=principal.clinic,
                     patient=patients[0] if len(patients) == 1 else None, detail=detail)
