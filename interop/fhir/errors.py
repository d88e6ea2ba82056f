"""FHIR errors: an OperationOutcome with the HTTP status that fits."""

import json
from typing import Any

from django.http import HttpResponse

FHIR_JSON = "application/fhir+json; charset=utf-8"


class FhirError(Exception):
    """A refusal the client should see: HTTP status, an issue-type code and the problems in words."""

    def __init__(self, status: int, code: str, *problems: str, headers: dict[str, str] | None = None) -> None:
        super().__init__("; ".join(problems))
        self.status, self.code, self.problems, self.headers = status, code, problems or ("Refused.",), headers or {}

    def outcome(self) -> dict[str, Any]:
        return operation_outcome([(self.code, p) for p in self.problems])


def operation_outcome(issues: list[tuple[str, str]], severity: str = "error") -> dict[str, Any]:
    return {"resourceType": "OperationOutcome",
            "issue": [{"severity": severity, "code": code, "diagnostics": text} for code, text in issues]}


def fhir_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> HttpResponse:
    response = HttpResponse(json.dumps(data, separators=(",", ":")), status=status, content_type=FHIR_JSON)
    for name, value in (headers or {}).items():
        response[name] = value
    response["Cache-Control"] = "no-store"
    return response


def error_response(error: FhirError) -> HttpResponse:
    return fhir_response(error.outcome(), error.status, error.headers)


def bad_request(*problems: str) -> FhirError:
    return FhirError(400, "invalid", *problems)


def not_found(what: str) -> FhirError:
    return FhirError(404, "not-found", f"{what} is not known here.")
