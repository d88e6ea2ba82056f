"""SMART Backend Services: discovery and the token endpoint (client_credentials with a private_key_jwt assertion)."""

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from accounts.access import public

from . import services
from .auth import ACCESS_AUDIENCE, access_key
from .models import SmartClient
from .scopes import granted_scopes
from .sources import RESOURCE_TYPES

ALGORITHMS = ["RS384", "ES384"]
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ACCESS_TOKEN_SECONDS = 300
MAX_ASSERTION_LIFETIME = timedelta(minutes=5)


def token_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/fhir/auth/token")


@public
def smart_configuration(request: HttpRequest) -> HttpResponse:
    """/.well-known/smart-configuration (at the server root and under /fhir/)."""
    return JsonResponse({
        "issuer": request.build_absolute_uri("/fhir"), "token_endpoint": token_url(request),
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": ALGORITHMS, "grant_types_supported": ["client_credentials"],
        "scopes_supported": ["system/*.read", "system/*.rs", "system/*.write"] + [f"system/{t}.read" for t in RESOURCE_TYPES],
        "capabilities": ["client-confidential-asymmetric", "permission-v1", "permission-v2"],
    })


class OAuthError(Exception):
    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error, self.description, self.status = error, description, status


def _oauth_error(exc: OAuthError) -> HttpResponse:
    response = JsonResponse({"error": exc.error, "error_description": exc.description}, status=exc.status)
    response["Cache-Control"] = "no-store"
    return response


def _client_of(assertion: str) -> SmartClient:
    try:
        unverified = jwt.decode(assertion, options={"verify_signature": False})
        header = jwt.get_unverified_header(assertion)
    except jwt.InvalidTokenError:
        raise OAuthError("invalid_client", "The client assertion is not a JWT.", 401) from None
    if header.get("alg") not in ALGORITHMS:
        raise OAuthError("invalid_client", f"Sign the assertion with {' or '.join(ALGORITHMS)}.", 401)
    if unverified.get("iss") != unverified.get("sub") or not unverified.get("iss"):
        raise OAuthError("invalid_client", "The assertion's iss and sub must both be the client_id.", 401)
    client = SmartClient.objects.select_related("clinic").filter(client_id=str(unverified["iss"])).first()
    if client is None or client.revoked_at is not None:
        raise OAuthError("invalid_client", "The client is unknown or revoked.", 401)
    return client


def _keys(client: SmartClient, kid: str | None) -> list[Any]:
    keys = []
    for data in client.jwks.get("keys", []):
        if kid is not None and data.get("kid") not in (None, kid):
            continue
        try:
            keys.append(jwt.PyJWK(data))
        except (jwt.PyJWKError, jwt.InvalidKeyError):
            continue
    return keys


def _verified_claims(assertion: str, client: SmartClient, audience: str) -> dict[str, Any]:
    header = jwt.get_unverified_header(assertion)
    problem = "The assertion's signature matches none of the client's registered keys."
    for key in _keys(client, header.get("kid")):
        try:
            return jwt.decode(assertion, key, algorithms=ALGORITHMS, audience=audience, issuer=client.client_id,
                              options={"require": ["exp", "jti", "iss", "sub", "aud"]})
        except jwt.ExpiredSignatureError:
            raise OAuthError("invalid_client", "The client assertion has expired.", 401) from None
        except jwt.InvalidAudienceError:
            raise OAuthError("invalid_client", f"The assertion's aud must be the token endpoint {audience}.", 401) from None
        except jwt.MissingRequiredClaimError as exc:
            raise OAuthError("invalid_client", f"The assertion lacks the {exc.claim} claim.", 401) from None
        except jwt.InvalidSignatureError:
            continue
        except jwt.InvalidTokenError as exc:
            problem = f"The client assertion is not valid: {exc}."
    raise OAuthError("invalid_client", problem, 401)


def _issue(client: SmartClient, scopes: list[str], now: datetime) -> dict[str, Any]:
    claims = {"iss": "ketacare", "aud": ACCESS_AUDIENCE, "sub": client.client_id, "clinic": client.clinic_id,
              "scope": " ".join(scopes), "iat": now, "exp": now + timedelta(seconds=ACCESS_TOKEN_SECONDS)}
    token = jwt.encode(claims, access_key(), algorithm="HS256")
    return {"access_token": token, "token_type": "bearer", "expires_in": ACCESS_TOKEN_SECONDS, "scope": " ".join(scopes)}


def _grant(request: HttpRequest) -> dict[str, Any]:
    form = request.POST
    if form.get("grant_type") != "client_credentials":
        raise OAuthError("unsupported_grant_type", "Only grant_type=client_credentials is supported.")
    if form.get("client_assertion_type") != ASSERTION_TYPE or not form.get("client_assertion"):
        raise OAuthError("invalid_request", f"Send client_assertion_type={ASSERTION_TYPE} and a client_assertion.")
    requested = form.get("scope", "").split()
    if not requested:
        raise OAuthError("invalid_scope", "Ask for at least one scope, e.g. system/*.read.")
    assertion = form["client_assertion"]
    client = _client_of(assertion)
    claims = _verified_claims(assertion, client, token_url(request))
    now = datetime.now(UTC)
    expires_at = datetime.fromtimestamp(int(claims["exp"]), UTC)
    if expires_at - now > MAX_ASSERTION_LIFETIME:
        raise OAuthError("invalid_client", "The assertion's exp must be at most five minutes ahead.", 401)
    scopes = granted_scopes(requested, client.scopes.split(), RESOURCE_TYPES)
    if not scopes:
        raise OAuthError("invalid_scope", f"None of the scopes asked for is granted to this client ({client.scopes}).")
    if not services.claim_assertion(client=client, jti=str(claims["jti"]), expires_at=expires_at, scopes=scopes,
                                    by=f"fhir-client:{client.name}"):
        raise OAuthError("invalid_client", "This assertion (jti) was used before: replay refused.", 401)
    return _issue(client, scopes, now)


@csrf_exempt
@public
def token(request: HttpRequest) -> HttpResponse:
    """POST /fhir/auth/token: an access token for a signed client assertion, or an OAuth error."""
    if request.method != "POST":
        return _oauth_error(OAuthError("invalid_request", "POST the token request as a form.", 405))
    try:
        granted = _grant(request)
    except OAuthError as exc:
        return _oauth_error(exc)
    response = HttpResponse(json.dumps(granted), content_type="application/json")
    response["Cache-Control"], response["Pragma"] = "no-store", "no-cache"
    return response
