"""POST /fhir/: the referral transaction, filed through the patients services in one transaction."""

import json
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse

from toolkit.errors import ServiceError

from .audit import record_access
from .auth import Principal, require_write
from .endpoint import fhir_view
from .errors import FhirError, fhir_response
from .referral import TYPES, Referral, demographic_problems, read_referral
from .rows import model


def _unprocessable(problems: list[str]) -> FhirError:
    return FhirError(422, "processing", *problems)


def _file(principal: Principal, referral: Referral) -> tuple[Any, bool]:
    """Create or update the patient (matched by MRN) and add what the referral brings; all or nothing."""
    from patients import services as patients

    found = model("patients.Patient").objects.filter(clinic=principal.clinic, mrn=referral.patient["mrn"]).first()
    with transaction.atomic():
        if found is None:
            patient = patients.register_patient(clinic=principal.clinic, values=referral.patient, by=principal.actor)
        else:
            patient = patients.update_patient(patient=found, values=referral.patient, by=principal.actor)
        known = {m.name.lower() for m in patient.current_medications.all()}
        for medication in referral.medications:
            if medication["name"].lower() not in known:
                patients.add_current_medication(patient=patient, values=medication, by=principal.actor)
        known_allergies = {a.substance.lower() for a in patient.allergies.all()}
        for allergy in referral.allergies:
            if allergy["substance"].lower() not in known_allergies:
                patients.add_allergy(patient=patient, values=allergy, by=principal.actor)
                known_allergies.add(allergy["substance"].lower())
    return patient, found is None


@fhir_view(methods=("POST",))
def transaction_bundle(request: HttpRequest, principal: Principal) -> HttpResponse:
    for resource_type in TYPES:
        require_write(principal, resource_type)
    try:
        bundle = json.loads(request.body or b"null")
    except ValueError:
        raise FhirError(400, "structure", "The body is not JSON.") from None
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise FhirError(400, "structure", "POST a FHIR Bundle of type transaction.")
    referral = read_referral(bundle, principal.clinic.slug)
    problems = referral.problems + (demographic_problems(referral) if referral.patient else [])
    if problems:
        raise _unprocessable(problems)
    try:
        patient, created = _file(principal, referral)
    except ServiceError as exc:
        raise _unprocessable([str(exc)] + [f"Patient.{k}: {v}" for k, v in exc.as_dict().get("fields", {}).items()]) from None
    location = f"Patient/{patient.pk}"
    record_access(principal, "fhir_transaction", [{"resourceType": "Patient", "id": str(patient.pk)}],
                  {"created": created, "medications": len(referral.medications), "allergies": len(referral.allergies)})
    entries = [{"response": {"status": "201 Created" if created else "200 OK", "location": location}}]
    entries += [{"response": {"status": "200 OK"}} for _ in range(len(bundle.get("entry", [])) - 1)]
    return fhir_response({"resourceType": "Bundle", "type": "transaction-response", "entry": entries})
