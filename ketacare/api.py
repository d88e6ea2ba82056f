"""The JSON API: one NinjaAPI, a router per app, per-user tokens or the browser session.

Every operation names its permission with `api_allow(Perm.X)`; the role matrix test reads it.
"""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import APIKeyCookie, HttpBearer

from accounts.access import ClinicRequest, act_in
from accounts.guards import must_enrol
from accounts.services import token_member
from clinical.errors import ClinicalError
from toolkit.errors import ServiceError


class TokenAuth(HttpBearer):
    """`Authorization: Bearer kc_...`: the token's user acts in the token's clinic."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        live = token_member(token)
        if live is None:
            return None
        found, membership = live
        vars(request)["via_token"] = True  # a machine credential: step-up (a person's fresh proof) does not apply
        request.user = found.user
        act_in(request, membership)
        return found.user


class SessionAuth(APIKeyCookie):
    """The browser's session cookie, with CSRF checked on unsafe methods.

    A request with no signed-in session is not a CSRF question: it falls through to 401, not 403.
    """

    param_name = "sessionid"

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if request.user.is_authenticated and getattr(request, "role", None):
            if must_enrol(request):
                raise HttpError(403, "Set up two-step sign-in (an authenticator app or a passkey) before using KetaCare.")
            return request.user
        return None


ERROR_RESPONSES = {
    "400": "Refused: `detail` says why and `fields` names the fields it concerns; nothing was saved.",
    "401": "No valid token or signed-in session.",
    "403": "The caller's role does not allow this operation.",
    "404": "No such object in the caller's clinic (another clinic's objects are not found either).",
    "409": "The request conflicts with the current state (e.g. someone else changed it first).",
    "413": "The request body is larger than the server accepts.",
    "422": "The body or a parameter does not match this schema; `fields` names them; nothing was saved.",
}
ERROR_SCHEMA = {
    "type": "object", "title": "Error", "required": ["detail"],
    "properties": {"detail": {"anyOf": [{"type": "string"}, {"type": "array", "items": {}}]},
                   "fields": {"type": "object", "additionalProperties": {"type": "string"}}},
}


class KetaCareAPI(NinjaAPI):
    """The API whose OpenAPI schema lists, for every operation, the error answers it can give and their body."""

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return with_error_responses(schema)


def with_error_responses(schema: Any) -> Any:
    """Add the shared error responses (and the two ways to authenticate) to an OpenAPI schema."""
    components = schema.setdefault("components", {})
    components.setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    components["securitySchemes"] = {
        "TokenAuth": {"type": "http", "scheme": "bearer", "description": "A per-user API token (kc_...)."},
        "SessionAuth": {"type": "apiKey", "in": "cookie", "name": "sessionid",
                        "description": "The browser session; unsafe methods need the CSRF token."},
    }
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, description in ERROR_RESPONSES.items():
                responses.setdefault(status, {"description": description, "content": error})
            responses["401"].setdefault("headers", {"WWW-Authenticate": {
                "description": "How to authenticate (Bearer).", "schema": {"type": "string"}}})
    return schema


api = KetaCareAPI(
    title="KetaCare API",
    version="1",
    description="Every action of the web pages, for programs. Authenticate with a per-user token (Bearer) or the browser session.",
    auth=[TokenAuth(), SessionAuth()],
    docs_url="/docs",
    urls_namespace="api",
)


def _refused(request: HttpRequest, exc: ServiceError | ClinicalError) -> Any:
    """The one way the API shows a refusal: 400 with the message and the fields it concerns."""
    refusal = exc if isinstance(exc, ServiceError) else ServiceError.from_kernel(exc)
    return api.create_response(request, refusal.as_dict(), status=400)


api.add_exception_handler(ServiceError, _refused)
api.add_exception_handler(ClinicalError, _refused)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> Any:
    return api.create_response(request, {"detail": str(exc) or "Not found."}, status=404)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> Any:
    return api.create_response(request, {"detail": str(exc) or "Forbidden."}, status=403)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> Any:
    fields = {".".join(str(p) for p in e.get("loc", [])[1:]) or "body": e.get("msg", "invalid") for e in exc.errors}
    return api.create_response(request, {"detail": "The request is not valid; nothing was saved.", "fields": fields}, status=422)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> Any:
    response = api.create_response(request, {"detail": "Sign in or send a valid API token."}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="KetaCare API"'
    return response


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> Any:
    return api.create_response(request, {"detail": "The request body is too large; nothing was saved."}, status=413)


# The model behind each object id in an API path. The guard below refuses (404) an id of another
# clinic before the body is validated, so clinic isolation holds whatever the body holds.
PATH_OBJECTS = {
    "patient_id": "patients.Patient", "course_id": "courses.TreatmentCourse", "protocol_id": "courses.Protocol",
    "session_id": "infusions.InfusionSession", "alert_id": "alerts.Alert", "message_id": "interop.Hl7Message",
    "assessment_id": "measures.Assessment", "therapy_id": "therapy.IntegrationSession", "lot_id": "inventory.Lot",
    "entry_id": "inventory.LedgerEntry", "discrepancy_id": "inventory.Discrepancy", "inventory_id": "inventory.Inventory",
    "trauma_id": "patients.TraumaEvent", "treatment_id": "patients.PriorTreatment",
    "medication_id": "patients.CurrentMedication", "allergy_id": "patients.Allergy",
    "shift_id": "scheduling.NurseShift", "waiting_id": "scheduling.WaitingListEntry",
    "member_id": "accounts.Membership",
}


def _check_path_objects(request: ClinicRequest) -> None:
    from django.apps import apps

    match = getattr(request, "resolver_match", None)
    for kwarg, value in (match.kwargs.items() if match else ()):
        label = PATH_OBJECTS.get(kwarg)
        if label is None:
            continue
        model = apps.get_model(label)
        if not str(value).isdigit() or not model._default_manager.filter(clinic=request.clinic, pk=int(value)).exists():
            raise Http404(f"No such {model._meta.verbose_name} in this clinic.")


def _guard(operation: Any) -> None:
    """Check the operation's roles during authentication, before ninja validates the body.

    Without this, a caller whose role may not use a route would get 422 for a bad body instead
    of 403. `api_allow` keeps its own check as a second line.
    """
    roles = getattr(operation.view_func, "allowed_roles", None)
    if roles is None or getattr(operation, "_kc_guarded", False):
        return

    def wrap(callback: Callable[..., Any]) -> Callable[..., Any]:
        def guarded(request: HttpRequest) -> Any:
            user = callback(request)
            if user and getattr(request, "role", None) not in roles:
                raise HttpError(403, "Your role does not allow this operation.")
            if user:
                _check_path_objects(request)
            return user

        return guarded

    operation.auth_callbacks = [wrap(cb) for cb in operation.auth_callbacks]
    operation._kc_guarded = True


def guard_roles() -> None:
    """Wrap every bound operation's authentication with its role check (call after api.urls)."""
    for bound in api._get_bound_routers():
        for view in bound.path_operations.values():
            for operation in view.operations:
                _guard(operation)


def register_routers() -> None:
    """Attach each app's router (imported late so apps load first)."""
    from toolkit.hooks import app_modules

    apps = ["accounts", "patients", "courses", "scheduling", "infusions", "alerts", "measures", "therapy", "inventory", "outcomes", "interop"]
    for app, module in app_modules("api", apps):
        api.add_router(f"/{app}/", module.router, tags=[app])


register_routers()
