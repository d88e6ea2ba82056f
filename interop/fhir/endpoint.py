"""The plumbing every FHIR view shares: authentication, format, OperationOutcome on refusal."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from .auth import Principal, authenticate
from .emit import InvalidResource
from .errors import FhirError, error_response

JSON_FORMATS = {"json", "application/json", "application/fhir+json", "application/json+fhir"}
# The route matrix of ketacare/tests skips the "fhir" namespace; interop/tests/test_fhir_access.py checks these roles.
BEARER = "bearer"


def _check_format(request: HttpRequest) -> None:
    wanted = request.GET.get("_format")
    if wanted is not None and wanted.split(";")[0].strip() not in JSON_FORMATS:
        raise FhirError(406, "not-supported", "This server speaks JSON only: _format=application/fhir+json.")
    accept = request.META.get("HTTP_ACCEPT", "")
    if accept and not any(part.split(";")[0].strip() in JSON_FORMATS | {"*/*", "application/*", "application/fhir+ndjson"}
                          for part in accept.split(",")):
        raise FhirError(406, "not-supported", "This server speaks JSON only: Accept: application/fhir+json.")


def fhir_view(*, methods: tuple[str, ...] = ("GET",), authenticated: bool = True) -> Callable[..., Any]:
    """Wrap a view as a FHIR endpoint: bearer authentication, methods, JSON only, errors as OperationOutcome."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                _check_format(request)
                principal: Principal | None = authenticate(request) if authenticated else None
                if request.method not in methods:
                    raise FhirError(405, "not-supported", f"{request.method} is not allowed here; use {', '.join(methods)}.",
                                    headers={"Allow": ", ".join(methods)})
                return view(request, principal, *args, **kwargs)
            except FhirError as error:
                return error_response(error)
            except InvalidResource as error:  # a mapper bug: say so rather than send invalid FHIR
                return error_response(FhirError(500, "exception", f"The server built an invalid resource: {error}"[:500]))

        wrapped.allowed_roles = frozenset({BEARER})  # type: ignore[attr-defined]
        return wrapped

    return decorate
