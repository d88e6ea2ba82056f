"""Every write of the FHIR face's own tables: SMART clients, used assertions, export jobs."""

import secrets
from datetime import UTC, datetime
from typing import Any

from django.db import IntegrityError, transaction

from audit import services as audit
from toolkit.errors import ServiceError

from .models import SmartClient, UsedAssertion
from .scopes import parse_scope


def new_client_id() -> str:
    """A random client id a shell or argparse never reads as an option (no leading dash)."""
    return "kc" + secrets.token_hex(16)

def _now() -> datetime:
    return datetime.now(UTC)


def check_jwks(jwks: Any) -> None:
    """Refuse a key set without at least one RS384 or ES384 public key PyJWT can load."""
    import jwt

    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list) or not jwks["keys"]:
        raise ServiceError('The JWKS must be a JSON object with a non-empty "keys" list.')
    for key in jwks["keys"]:
        if any(k in key for k in ("d", "p", "q")):
            raise ServiceError("The JWKS holds a private key: register the public keys only.")
        try:
            jwt.PyJWK(key)
        except (jwt.PyJWKError, jwt.InvalidKeyError) as exc:
            raise ServiceError(f"A key of the JWKS cannot be read: {exc}.") from None


def register_client(*, name: str, clinic: Any, jwks: Any, scopes: str, by: Any) -> SmartClient:
    """Register a SMART Backend Services client of one clinic with its public keys and scope ceiling."""
    if not name.strip():
        raise ServiceError("The client needs a name.")
    bad = [s for s in scopes.split() if parse_scope(s) is None]
    if bad or not scopes.split():
        raise ServiceError(f"Give system scopes such as system/*.read or system/Patient.rs; not understood: {' '.join(bad)}.")
    check_jwks(jwks)
    with transaction.atomic():
        client = SmartClient.objects.create(client_id=new_client_id(), name=name.strip(), clinic=clinic,
                                            jwks=jwks, scopes=" ".join(scopes.split()), created_at=_now())
        audit.record(action="fhir_client_register", by=by, clinic=clinic, obj=client, detail={"scopes": client.scopes})
    return client


def revoke_client(*, client: SmartClient, by: Any) -> SmartClient:
    """Revoke a client: its assertions and access tokens stop working at once."""
    if client.revoked_at is not None:
        raise ServiceError("This client is already revoked.")
    with transaction.atomic():
        SmartClient.objects.filter(pk=client.pk).update(revoked_at=_now())
        audit.record(action="fhir_client_revoke", by=by, clinic=client.clinic, obj=client)
    client.refresh_from_db()
    return client


def claim_assertion(*, client: SmartClient, jti: str, expires_at: datetime, scopes: list[str], by: Any) -> bool:
    """Remember an assertion's jti and audit the token issue; False when the jti was used before (a replay)."""
    try:
        with transaction.atomic():
            UsedAssertion.objects.filter(expires_at__lt=_now()).delete()
            UsedAssertion.objects.create(client=client, jti=jti, expires_at=expires_at)
            audit.record(action="fhir_token_issue", by=by, clinic=client.clinic, obj=client, detail={"scopes": scopes})
    except IntegrityError:
        return False
    return True


def start_export(*, clinic: Any, level: str, group_id: str, types: list[str], since: datetime | None, request_url: str,
                 client: Any, user: Any, by: Any, type_filters: dict[str, list[str]] | None = None) -> Any:
    """Queue a Bulk Data export for the worker; audited at kick-off and again when the files are written."""
    from .models import ExportJob

    with transaction.atomic():
        job = ExportJob.objects.create(clinic=clinic, client=client, requested_by=user, level=level, group_id=group_id,
                                       types=types, since=since, request_url=request_url[:2000], created_at=_now(),
                                       type_filters=type_filters or {})
        audit.record(action="fhir_export_start", by=by, clinic=clinic, obj=job,
                     detail={"level": level, "group": group_id, "types": types, "since": since,
                             "type_filters": type_filters or None})
    return job


def cancel_export(*, job: Any, by: Any) -> None:
    """Cancel a queued, running or finished export and delete its files."""
    from .export import remove_files
    from .models import ExportJob, ExportStatus

    with transaction.atomic():
        ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.CANCELLED, finished_at=_now())
        audit.record(action="fhir_export_cancel", by=by, clinic=job.clinic, obj=job)
    remove_files(job.id)
