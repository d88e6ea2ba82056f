"""Validate a mapped resource with fhir.resources on its way out.

The mapper's own dict is what goes on the wire once fhir.resources has accepted it: re-serialising
the pydantic model would cost as much again as the validation and add nothing (docs/fhir.md).
"""

import json
from functools import cache
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError


class InvalidResource(ValueError):
    """A mapper built something fhir.resources refuses: a bug, never the caller's fault."""


@cache
def model_class(resource_type: str) -> Any:
    return get_fhir_model_class(resource_type)


def validated(data: dict[str, Any]) -> dict[str, Any]:
    """Return the resource once fhir.resources accepts it, or raise InvalidResource."""
    try:
        model_class(data["resourceType"]).model_validate(data)
    except (ValidationError, KeyError) as exc:
        raise InvalidResource(f"{data.get('resourceType')}/{data.get('id')}: {exc}") from exc
    return data


def validated_json(data: dict[str, Any]) -> str:
    """The resource as one line of JSON that fhir.resources has validated (for NDJSON)."""
    text = json.dumps(data, separators=(",", ":"))
    try:
        model_class(data["resourceType"]).model_validate_json(text)
    except (ValidationError, KeyError) as exc:
        raise InvalidResource(f"{data.get('resourceType')}/{data.get('id')}: {exc}") from exc
    return text
