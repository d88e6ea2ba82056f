"""Who is calling the FHIR API: a staff user's API token (limited by role) or a SMART client's access token."""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import jwt
from django.conf import settings
from django.http import HttpRequest

from accounts.permissions import Perm, has_perm

from .errors import FhirError
from .scopes import ALL, Grant, grant_of
from .sources import AUDIT_TYPES, RESOURCE_TYPES

ACCESS_AUDIENCE = "ketacare-fhir"
NO_GRANT = Grant(frozenset(), frozenset())


@dataclass(frozen=True)
class Principal:
    clinic: Any
    actor: Any  # the staff user, or a label for a machine client
    label: str
    grant: Grant
    user: Any = None
    client: Any = None


def access_key() -> bytes:
    """The key that signs this server's access tokens, derived from SECRET_KEY."""
    return hmac.new(settings.SECRET_KEY.encode(), b"ketacare-fhir-access-token", hashlib.sha256).digest()


def _unauthorized(message: str) -> FhirError:
    return FhirError(401, "login", message, headers={"WWW-Authenticate": 'Bearer realm="fhir"'})


def authenticate(request: HttpRequest) -> Principal:
    """The caller behind the Authorization header, or a 401 OperationOutcome."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorized("Send a bearer token: a staff API token or a SMART access token.")
    token = token.strip()
    if token.count(".") == 2:
        return _client_principal(token)
    return _staff_principal(token)


def _staff_principal(token: str) -> Principal:
    from accounts.models import ApiToken, Membership
    from accounts.services import hash_token, touch_token

    found = ApiToken.objects.select_related("user", "clinic").filter(key_hash=hash_token(token), revoked_at__isnull=True).first()
    if found is None or not found.user.is_active:
        raise _unauthorized("The token is unknown or revoked.")
    membership = Membership.objects.filter(user=found.user, clinic=found.clinic, active=True).first()
    if membership is None:
        raise _unauthorized("The token's user is no longer a member of its clinic.")
    touch_token(token=found, at=datetime.now(UTC))
    # The researcher reads de-identified exports only; the intake desk and the prescriber file referrals.
    grant = ALL if has_perm(membership.role, Perm.READ_FHIR) else NO_GRANT
    if grant is ALL and not has_perm(membership.role, Perm.VIEW_AUDIT_LOG):  # the audit log is the admin's to read
        grant = Grant(frozenset(t for t in RESOURCE_TYPES if t not in AUDIT_TYPES), grant.write)
    if not has_perm(membership.role, Perm.FILE_FHIR_REFERRALS):
        grant = Grant(grant.read, frozenset())
    return Principal(clinic=found.clinic, actor=found.user, label=found.user.username, grant=grant, user=found.user)


def _client_principal(token: str) -> Principal:
    from .models import SmartClient

    try:
        claims = jwt.decode(token, access_key(), algorithms=["HS256"], audience=ACCESS_AUDIENCE,
                            options={"require": ["exp", "sub", "scope", "clinic"]})
    except jwt.ExpiredSignatureError:
        raise _unauthorized("The access token has expired; ask the token endpoint for a new one.") from None
    except jwt.InvalidTokenError:
        raise _unauthorized("The access token is not one this server issued.") from None
    client = SmartClient.objects.select_related("clinic").filter(client_id=claims["sub"], revoked_at__isnull=True).first()
    if client is None or client.clinic_id != claims["clinic"]:
        raise _unauthorized("The client of this access token is revoked.")
    grant = grant_of(str(claims["scope"]).split(), RESOURCE_TYPES)
    return Principal(clinic=client.clinic, actor=f"fhir-client:{client.name}", label=client.name, grant=grant, client=client)


def require_read(principal: Principal, resource_type: str) -> None:
    if not principal.grant.can_read(resource_type):
        raise FhirError(403, "forbidden", f"Your role or scopes do not allow reading {resource_type}.")


def require_write(principal: Principal, resource_type: str) -> None:
    if not principal.grant.can_write(resource_type):
        raise FhirError(403, "forbidden", f"Your role or scopes do not allow writing {resource_type}.")
