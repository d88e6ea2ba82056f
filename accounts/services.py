"""Every write of the accounts app: sign-in with lockout, users, memberships, tokens, policy."""

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpRequest

from audit import services as audit
from ketacare import readmodels
from ketacare.errors import ServiceError
from ketacare.locking import for_update

from .actors import Actor
from .choices import Role
from .models import ApiToken, Clinic, Membership, User
from .policy import policy_value, registry


class AccountError(ServiceError):
    """A request the accounts rules refuse; the message is shown to the user."""


def _now() -> datetime:
    return datetime.now(UTC)


def sign_in(*, request: HttpRequest | None, username: str, password: str) -> User:
    """Check a password, counting failures and locking the account after too many."""
    # Each refusal is committed (audited, counted) before the error is raised.
    with transaction.atomic():
        user = for_update(User.objects.filter(username=username)).first()
        locked = user is not None and user.locked_until is not None and user.locked_until > _now()
        if locked:
            audit.record(action="login_refused_locked", by=username)
    if locked:
        raise AccountError("This account is locked after repeated failed sign-ins. Try again later or ask your clinic admin.")
    checked = authenticate(request, username=username, password=password)
    with transaction.atomic():
        if checked is None:
            _count_failure(username)
        else:
            User.objects.filter(pk=checked.pk).update(failed_logins=0, locked_until=None)
            audit.record(action="login", by=checked)
    if not isinstance(checked, User):
        raise AccountError("Wrong username or password.")
    return checked


def _count_failure(username: str) -> None:
    user = for_update(User.objects.filter(username=username)).first()
    audit.record(action="login_failed", by=username)
    if user is None:
        return
    membership = user.memberships.select_related("clinic").first()
    limit = policy_value(membership.clinic, "lockout_failures") if membership else 5
    minutes = policy_value(membership.clinic, "lockout_minutes") if membership else 15
    user.failed_logins += 1
    if user.failed_logins >= limit:
        user.locked_until = _now() + timedelta(minutes=minutes)
        user.failed_logins = 0
        audit.record(action="account_locked", by=username, detail={"minutes": minutes})
    user.save(update_fields=["failed_logins", "locked_until"])


def create_clinic(*, name: str, slug: str, time_zone: str = "America/New_York", by: Actor) -> Clinic:
    """Create a clinic with default policy."""
    with transaction.atomic():
        clinic = Clinic.objects.create(name=name, slug=slug, time_zone=time_zone)
        audit.record(action="clinic_create", by=by, clinic=clinic, obj=clinic)
    return clinic


def create_staff(
    *, clinic: Clinic, username: str, password: str, role: str, first_name: str = "",
    last_name: str = "", email: str = "", by: Actor,
) -> User:
    """Create a staff user with a role in one clinic."""
    if role not in Role.values:
        raise AccountError(f"Unknown role {role!r}.")
    if User.objects.filter(username=username).exists():
        raise AccountError(f"The username {username!r} is taken.")
    with transaction.atomic():
        user = User.objects.create_user(username=username, password=password, first_name=first_name,
                                        last_name=last_name, email=email)
        membership = Membership.objects.create(user=user, clinic=clinic, role=role)
        audit.record(action="staff_create", by=by, clinic=clinic, obj=membership, detail={"role": role})
    return user


def add_membership(*, user: User, clinic: Clinic, role: str, by: Actor) -> Membership:
    """Give an existing user a role in another clinic."""
    if role not in Role.values:
        raise AccountError(f"Unknown role {role!r}.")
    with transaction.atomic():
        membership, _ = Membership.objects.update_or_create(user=user, clinic=clinic, defaults={"role": role, "active": True})
        audit.record(action="membership_set", by=by, clinic=clinic, obj=membership, detail={"role": role})
    return membership


def update_policy(*, clinic: Clinic, values: dict[str, Any], by: Actor) -> dict[str, str]:
    """Check and store policy values; return errors by key and store nothing if any."""
    settings = registry()
    errors: dict[str, str] = {}
    parsed: dict[str, Any] = {}
    for key, raw in values.items():
        if key not in settings:
            errors[key] = "Unknown setting."
            continue
        try:
            parsed[key] = settings[key].parse(raw)
        except ValueError as exc:
            errors[key] = str(exc)
    if errors:
        return errors
    with transaction.atomic():
        locked = for_update(Clinic.objects).get(pk=clinic.pk)
        before = dict(locked.policy)
        locked.policy = {**before, **{k: _store(v) for k, v in parsed.items()}}
        locked.save(update_fields=["policy"])
        changed = {k: [before.get(k), locked.policy[k]] for k in parsed if before.get(k) != locked.policy[k]}
        audit.record(action="policy_update", by=by, clinic=clinic, obj=locked, detail={"changed": changed})
        readmodels.clinic_policy_changed.send(sender=update_policy, clinic=locked, keys=tuple(changed))
    clinic.policy = locked.policy
    return {}


def _store(value: Any) -> Any:
    return str(value) if not isinstance(value, int | str | list | bool) else value


def issue_token(*, user: User, clinic: Clinic, name: str, by: Actor) -> str:
    """Create an API token and return its secret once; only the hash is kept."""
    if not name.strip():
        raise AccountError("Give the token a name so you can recognise it later.")
    secret = "kc_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, clinic=clinic, name=name.strip()[:80],
                                        key_hash=hash_token(secret), prefix=secret[:8])
        audit.record(action="token_issue", by=by, clinic=clinic, obj=token)
    return secret


def revoke_token(*, token: ApiToken, by: Actor) -> None:
    """Revoke a token so it no longer signs anything in."""
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk).update(revoked_at=_now())
        audit.record(action="token_revoke", by=by, clinic=token.clinic, obj=token)


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def touch_token(*, token: ApiToken, at: datetime) -> None:
    """Note when a token was last used (not audited: every API call it signs is audited itself)."""
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=at)


# --- TOTP second factor (RFC 6238 via pyotp; HIPAA person authentication, 45 CFR 164.312(d)) ---

def new_totp_secret() -> str:
    """A fresh base32 secret for an authenticator app (not stored until a code confirms it)."""
    import pyotp

    return pyotp.random_base32()


def totp_uri(*, user: User, secret: str) -> str:
    """The otpauth:// URI an authenticator app reads (typed in or from a QR code made elsewhere)."""
    import pyotp

    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name="KetaCare")


def _code_ok(secret: str, code: str) -> bool:
    import pyotp

    code = code.strip().replace(" ", "")
    return bool(secret) and code.isdigit() and len(code) == 6 and pyotp.TOTP(secret).verify(code, valid_window=1)


def enable_totp(*, user: User, secret: str, code: str, by: Actor) -> None:
    """Turn on the second factor once the user proves their app shows the right code."""
    if not _code_ok(secret, code):
        raise AccountError("That code does not match; check the time on your phone and try the current code.",
                           {"code": "Wrong code."})
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(totp_secret=secret)
        audit.record(action="totp_enable", by=by, obj=user)
    user.totp_secret = secret


def disable_totp(*, user: User, by: Actor) -> None:
    """Turn the second factor off (the user themself, or a clinic admin for a lost phone)."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(totp_secret="")
        audit.record(action="totp_disable", by=by, obj=user)
    user.totp_secret = ""


def check_second_factor(*, user: User, code: str) -> None:
    """Check a sign-in code; a wrong one counts towards the lockout like a wrong password."""
    if _code_ok(user.totp_secret, code):
        with transaction.atomic():
            audit.record(action="login_second_factor", by=user)
        return
    with transaction.atomic():
        _count_failure(user.username)
    raise AccountError("Wrong or expired code.", {"code": "Wrong code."})
