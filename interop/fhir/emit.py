"""Validate a mapped resource with fhir.resources and give back its wire form."""

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
    """Return the resource as fhir.resources serialises it, or raise InvalidResource."""
    try:
        model = model_class(data["resourceType"]).model_validate(data)
    except (ValidationError, KeyError) as exc:
        raise InvalidResource(f"{data.get('resourceType')}/{data.get('id')}: {exc}") from exc
    return json.loads(model.model_dump_json())  # type: ignore[no-any-return]


def validated_json(data: dict[str, Any]) -> str:
    """The resource as one line of validated JSON (for NDJSON)."""
    try:
        return str(model_class(data["resourceType"]).model_validate(data).model_dump_json())
    except (ValidationError, KeyError) as exc:
        raise InvalidResource(f"{data.get('resourceType')}/{data.get('id')}: {exc}") from exc
