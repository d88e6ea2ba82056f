"""Every write of the accounts app: sign-in with lockout, users, memberships, tokens, policy."""

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction

from audit import services as audit
from toolkit import readmodels
from toolkit.locking import for_update

from .actors import Actor, user_of
from .choices import Role
from .errors import AccountError, AccountLocked, SignInEnded
from .factors import (
    authentication_options,
    check_passkey,
    check_second_factor,
    confirm_identity,
    disable_totp,
    enable_totp,
    has_second_factor,
    needs_enrolment,
    new_recovery_codes,
    new_totp_secret,
    register_passkey,
    registration_options,
    remove_passkey,
    totp_uri,
)
from .models import ApiToken, Clinic, Membership, User
from .passwords import check_password
from .permissions import Perm
from .policy import check_together, policy_value, registry
from .signin import now as _now
from .signin import sign_in

__all__ = [  # the sign-in and second-factor doors live in signin.py and factors.py; callers use this module
    "AccountError", "AccountLocked", "SignInEnded", "authentication_options", "check_passkey", "check_second_factor", "confirm_identity",
    "disable_totp", "enable_totp", "has_second_factor", "needs_enrolment", "new_recovery_codes", "new_totp_secret",
    "register_passkey", "registration_options", "remove_passkey", "sign_in", "totp_uri",
]


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
    check_password(password, user=User(username=username, first_name=first_name, last_name=last_name, email=email))
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
    if not errors:  # each value is fine alone: now the settings as a whole (ADR 0017)
        errors = check_together(clinic, parsed)
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
    """Create an API token and return its secret once; only the hash is kept; it expires after the clinic's token_days."""
    if not name.strip():
        raise AccountError("Give the token a name so you can recognise it later.")
    secret = "kc_" + secrets.token_urlsafe(32)
    days = policy_value(clinic, "token_days")
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, clinic=clinic, name=name.strip()[:80], key_hash=hash_token(secret),
                                        prefix=secret[:8], expires_at=_now() + timedelta(days=days))
        audit.record(action="token_issue", by=by, clinic=clinic, obj=token, detail={"days": days})
    return secret


def revoke_token(*, token: ApiToken, by: Actor) -> None:
    """Revoke a token so it no longer signs anything in."""
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk).update(revoked_at=_now())
        audit.record(action="token_revoke", by=by, clinic=token.clinic, obj=token)


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_member(secret: str) -> tuple[ApiToken, Membership] | None:
    """The live token and its user's membership for a bearer secret, or None.

    The one check of every face that takes staff tokens (the JSON API, FHIR): not revoked, not expired,
    the user active and not locked, still a member of the token's clinic, enrolled in a second factor
    if the clinic requires one of the role.
    """
    at = _now()
    found = ApiToken.objects.select_related("user", "clinic").filter(
        key_hash=hash_token(secret), revoked_at__isnull=True, expires_at__gt=at).first()
    if found is None or not found.user.is_active or (found.user.locked_until and found.user.locked_until > at):
        return None
    membership = Membership.objects.filter(user=found.user, clinic=found.clinic, active=True).first()
    if membership is None or needs_enrolment(found.user, membership.role, found.clinic):
        return None
    touch_token(token=found, at=at)
    return found, membership


def touch_token(*, token: ApiToken, at: datetime) -> None:
    """Note when a token was last used (not audited: every API call it signs is audited itself)."""
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=at)




def revoke_tokens(user: User, *, clinic: Clinic | None = None) -> int:
    """Revoke the user's live tokens (of one clinic, or all) inside the caller's transaction; how many."""
    tokens = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
    if clinic is not None:
        tokens = tokens.filter(clinic=clinic)
    return tokens.update(revoked_at=_now())


# --- A clinic admin's staff changes (issue 10: deactivation and password reset) ---

def _member(user: User, clinic: Clinic, by: Actor) -> Membership:
    """The user's membership of the clinic, once `by` may manage its staff (a process such as the CLI may)."""
    from .queries import require

    if user_of(by) is not None:
        require(Perm.MANAGE_STAFF, by, clinic, to="change staff accounts")
    membership = Membership.objects.filter(user=user, clinic=clinic).first()
    if membership is None:
        raise AccountError(f"{user.username} is not a member of this clinic.")
    return membership


def deactivate_staff(*, user: User, clinic: Clinic, reason: str, by: Actor) -> None:
    """End a user's access to the clinic at once: membership off, that clinic's tokens revoked, sessions ended.

    A user with no other active clinic is made inactive too, which ends every session of theirs on the
    next request (Django refuses an inactive user's session).
    """
    membership = _member(user, clinic, by)
    if user_of(by) is not None and user_of(by) == user:
        raise AccountError("You cannot deactivate your own account; ask another clinic admin.")
    if len(reason.strip()) < 5:
        raise AccountError("Say why the account is deactivated (at least 5 characters).", {"reason": "Give a reason."})
    with transaction.atomic():
        Membership.objects.filter(pk=membership.pk).update(active=False)
        revoked = revoke_tokens(user, clinic=clinic)
        others = Membership.objects.filter(user=user, active=True).exclude(pk=membership.pk).exists()
        if not others:
            User.objects.filter(pk=user.pk).update(is_active=False)
            revoked += revoke_tokens(user)
        audit.record(action="staff_deactivate", by=by, clinic=clinic, obj=membership,
                     detail={"reason": reason.strip()[:500], "tokens_revoked": revoked, "account_inactive": not others})


def reactivate_staff(*, user: User, clinic: Clinic, by: Actor) -> None:
    """Give a deactivated user their role in the clinic back (their old tokens stay revoked)."""
    membership = _member(user, clinic, by)
    with transaction.atomic():
        Membership.objects.filter(pk=membership.pk).update(active=True)
        User.objects.filter(pk=user.pk).update(is_active=True)
        audit.record(action="staff_reactivate", by=by, clinic=clinic, obj=membership)


def reset_password(*, user: User, clinic: Clinic, password: str, by: Actor) -> None:
    """Set a new password for a member (policy checked): sessions end, tokens are revoked, the lock is lifted."""
    _member(user, clinic, by)
    check_password(password, user=user)
    with transaction.atomic():
        locked = for_update(User.objects).get(pk=user.pk)
        locked.set_password(password)  # a new password hash ends every session signed with the old one
        locked.failed_logins, locked.locked_until = 0, None
        locked.save(update_fields=["password", "failed_logins", "locked_until"])
        revoked = revoke_tokens(user)
        audit.record(action="password_reset", by=by, clinic=clinic, obj=user, detail={"tokens_revoked": revoked})
    user.password = locked.password


def reset_second_factor(*, user: User, clinic: Clinic, by: Actor) -> None:
    """A clinic admin removes a member's second factors (a lost phone or key); the member enrols again."""
    from .factors import clear_factors

    _member(user, clinic, by)
    with transaction.atomic():
        clear_factors(user, by=by, clinic=clinic)
