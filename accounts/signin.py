"""Sign-in: passwords and second-factor codes, throttled by account and by client address.

One answer for an unknown user, a wrong password and a locked account, so the answer never tells
whether a username exists. An account locks for `lockout_minutes` after `lockout_failures`
failures (fixed length: failures while it is locked do not extend it). A client address locks
after KETACARE_ADDRESS_LOCKOUT_FAILURES failures for KETACARE_ADDRESS_LOCKOUT_MINUTES doubled at each repeated lockout
(backoff, at most a day), and its failures stop counting against accounts while it is locked, so an
outsider at one address cannot keep a clinician locked out. See docs/adr/0018-staff-authentication.md.
"""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpRequest

from audit import services as audit
from audit.context import client_addr
from toolkit.locking import for_update

from .errors import AccountError, AccountLocked, SignInEnded
from .models import AddressThrottle, ApiToken, User
from .policy import policy_value

REFUSED = "Wrong username or password, or the account is locked for a while after repeated failures."
ADDRESS_LOCKED = "Too many failed sign-ins from this network address. Try again in {minutes} minutes."
LOCKED_NOW = "Too many failed attempts: this account is locked for a while. Sign in again later or ask your clinic admin."
MAX_LOCK = timedelta(hours=24)


def now() -> datetime:
    return datetime.now(UTC)


def address_of(request: HttpRequest | None) -> str:
    """The client address of the request (or of the request being served), '' for none (a witness check)."""
    if request is not None:
        return str(request.META.get("REMOTE_ADDR", ""))[:64]
    return client_addr.get()[:64]


def is_locked(user: User) -> bool:
    return user.locked_until is not None and user.locked_until > now()


def check_address(address: str) -> None:
    """Refuse while the client address is locked out (the same answer whatever the username)."""
    if not address:
        return
    throttle = AddressThrottle.objects.filter(address=address, locked_until__gt=now()).first()
    if throttle is not None and throttle.locked_until is not None:
        minutes = max(1, int((throttle.locked_until - now()) / timedelta(minutes=1)) + 1)
        with transaction.atomic():
            audit.record(action="login_refused_address", by="sign-in", detail={"address": address})
        raise AccountError(ADDRESS_LOCKED.format(minutes=minutes))


def sign_in(*, request: HttpRequest | None, username: str, password: str) -> User:
    """Check a password; count a failure against the account and the address; one answer for every refusal."""
    address = address_of(request)
    check_address(address)
    checked = authenticate(request, username=username, password=password)  # always run: the same work for every answer
    with transaction.atomic():
        user = for_update(User.objects.filter(username=username)).first()
        locked = user is not None and is_locked(user)
        if checked is not None and not locked:
            User.objects.filter(pk=checked.pk).update(failed_logins=0)
            audit.record(action="login", by=checked)
        elif locked:
            audit.record(action="login_refused_locked", by=username)
        else:
            count_failure(username, address, action="login_failed")
    if locked:
        raise AccountLocked(REFUSED)
    if checked is None or not isinstance(checked, User):
        raise AccountError(REFUSED)
    return checked


def count_failure(username: str, address: str, *, action: str) -> bool:
    """Audit one failure and count it (inside the caller's transaction); return whether the account is locked now."""
    audit.record(action=action, by=username, detail={"address": address} if address else None)
    locked = _count_account(username)
    _count_address(address)
    return locked


def _count_account(username: str) -> bool:
    user = for_update(User.objects.filter(username=username)).first()
    if user is None or is_locked(user):
        return user is not None
    membership = user.memberships.select_related("clinic").first()
    limit = policy_value(membership.clinic, "lockout_failures") if membership else 5
    minutes = policy_value(membership.clinic, "lockout_minutes") if membership else 15
    user.failed_logins += 1
    if user.failed_logins >= limit:
        user.locked_until = now() + timedelta(minutes=minutes)
        user.failed_logins = 0
        revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now())
        audit.record(action="account_locked", by=username, detail={"minutes": minutes, "tokens_revoked": revoked}
                     if revoked else {"minutes": minutes})
    user.save(update_fields=["failed_logins", "locked_until"])
    return is_locked(user)


def _count_address(address: str) -> None:
    if not address:
        return
    throttle, _ = AddressThrottle.objects.get_or_create(address=address)
    throttle = for_update(AddressThrottle.objects).get(pk=throttle.pk)
    at = now()
    if throttle.last_failure_at is not None and at - throttle.last_failure_at > MAX_LOCK:
        throttle.failures, throttle.lockouts = 0, 0  # a quiet day forgives the address
    throttle.failures += 1
    throttle.last_failure_at = at
    limit, minutes = _address_policy()
    if throttle.failures >= limit:
        throttle.locked_until = at + min(MAX_LOCK, timedelta(minutes=minutes * 2 ** throttle.lockouts))
        throttle.lockouts += 1
        throttle.failures = 0
        audit.record(action="address_locked", by="sign-in",
                     detail={"address": address, "until": throttle.locked_until.isoformat(), "lockouts": throttle.lockouts})
    throttle.save()


def _address_policy() -> tuple[int, int]:
    """The address lockout settings (an address belongs to no clinic: deployment settings, not clinic policy)."""
    return settings.KETACARE_ADDRESS_LOCKOUT_FAILURES, settings.KETACARE_ADDRESS_LOCKOUT_MINUTES


def refuse_if_locked(user: User, address: str) -> None:
    """End a pending sign-in (or a step-up) when the account or the address is locked."""
    check_address(address)
    fresh = User.objects.get(pk=user.pk)
    if is_locked(fresh) or not fresh.is_active:
        with transaction.atomic():
            audit.record(action="login_refused_locked", by=user.username)
        raise SignInEnded(LOCKED_NOW)


def fail_second_step(user: User, address: str, message: str, field: str = "code") -> AccountError:
    """Count a wrong second-factor proof; the error to raise (SignInEnded once the account locks)."""
    with transaction.atomic():
        locked = count_failure(user.username, address, action="login_second_factor_failed")
    if locked:
        return SignInEnded(LOCKED_NOW)
    return AccountError(message, {field: message})
