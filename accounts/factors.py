"""Second factors: TOTP (RFC 6238, pyotp), single-use recovery codes, WebAuthn passkeys (py_webauthn).

HIPAA person authentication, 45 CFR 164.312(d). A clinic names the roles that must use a second
factor (policy `second_factor_roles`); `needs_enrolment` sends such a user to enrol before anything
else. Turning a factor off needs the password and a current code, or a clinic admin's audited reset.
"""

import hashlib
import json
import secrets
from typing import Any

import pyotp
from django.db import transaction

from audit import services as audit
from toolkit.locking import for_update

from .actors import Actor
from .errors import AccountError
from .models import Passkey, RecoveryCode, User
from .policy import policy_value
from .signin import fail_second_step, now, refuse_if_locked

RECOVERY_CODES = 10
WRONG_CODE = "Wrong or expired code."


def has_second_factor(user: User) -> bool:
    return bool(user.totp_secret) or Passkey.objects.filter(user=user).exists()


def required_for(role: str | None, clinic: Any) -> bool:
    """Whether the clinic requires a second factor of this role."""
    return clinic is not None and role is not None and role in policy_value(clinic, "second_factor_roles")


def needs_enrolment(user: User, role: str | None, clinic: Any) -> bool:
    """A user of a role the clinic requires a second factor of, who has none yet."""
    return required_for(role, clinic) and not has_second_factor(user)


# --- TOTP ---

def new_totp_secret() -> str:
    """A fresh base32 secret for an authenticator app (not stored until a code confirms it)."""
    return pyotp.random_base32()


def totp_uri(*, user: User, secret: str) -> str:
    """The otpauth:// URI an authenticator app reads (typed in or from a QR code made elsewhere)."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name="KetaCare")


def _totp_ok(secret: str, code: str) -> bool:
    code = code.strip().replace(" ", "")
    return bool(secret) and code.isdigit() and len(code) == 6 and pyotp.TOTP(secret).verify(code, valid_window=1)


def enable_totp(*, user: User, secret: str, code: str, by: Actor) -> None:
    """Turn on the authenticator-app factor once the user proves their app shows the right code."""
    if not _totp_ok(secret, code):
        raise AccountError("That code does not match; check the time on your phone and try the current code.",
                           {"code": "Wrong code."})
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(totp_secret=secret)
        audit.record(action="totp_enable", by=by, obj=user)
    user.totp_secret = secret


# --- recovery codes ---

def _hash(code: str) -> str:
    return hashlib.sha256(code.strip().lower().replace("-", "").replace(" ", "").encode()).hexdigest()


def new_recovery_codes(*, user: User, by: Actor) -> list[str]:
    """Replace the user's recovery codes with fresh ones and return them once (only hashes are kept)."""
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    with transaction.atomic():
        RecoveryCode.objects.filter(user=user).delete()
        RecoveryCode.objects.bulk_create([RecoveryCode(user=user, code_hash=_hash(c)) for c in codes])
        audit.record(action="recovery_codes_issue", by=by, obj=user, detail={"count": len(codes)})
    return codes


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def _use_recovery_code(user: User, code: str) -> bool:
    """Spend one unused recovery code (inside the caller's transaction); whether it matched."""
    found = for_update(RecoveryCode.objects.filter(user=user, code_hash=_hash(code), used_at__isnull=True)).first()
    if found is None:
        return False
    RecoveryCode.objects.filter(pk=found.pk).update(used_at=now())
    return True


def _code_ok(user: User, code: str) -> str | None:
    """Which kind of code this is, if right: 'totp' or 'recovery' (a recovery code is spent)."""
    if _totp_ok(user.totp_secret, code):
        return "totp"
    cleaned = code.strip()
    if cleaned and not cleaned.replace(" ", "").isdigit() and _use_recovery_code(user, cleaned):
        return "recovery"
    return None


def check_second_factor(*, user: User, code: str, address: str = "") -> None:
    """Check a sign-in code (app code or recovery code); wrong codes count towards the lockout, which ends the sign-in."""
    refuse_if_locked(user, address)
    with transaction.atomic():
        kind = _code_ok(user, code)
        if kind is not None:
            User.objects.filter(pk=user.pk).update(failed_logins=0)
            audit.record(action="login_second_factor", by=user, detail={"factor": kind})
            return
    raise fail_second_step(user, address, WRONG_CODE)


def confirm_identity(*, user: User, password: str, code: str = "", credential: str = "",
                     challenge: str = "", origin: str = "", rp_id: str = "", address: str = "") -> None:
    """Step-up: the password again and, if the user has a second factor, a current code or a passkey."""
    refuse_if_locked(user, address)
    if not user.check_password(password):
        raise fail_second_step(user, address, "Wrong password.", "password")
    if not has_second_factor(user):
        return
    if credential:
        check_passkey(user=user, credential=credential, challenge=challenge, origin=origin, rp_id=rp_id, address=address)
        return
    check_second_factor(user=user, code=code, address=address)


def prove_password_and_code(user: User, password: str, code: str) -> str:
    """The password and a current code, as turning a factor off needs; the kind of code."""
    if not user.check_password(password):
        raise AccountError("Wrong password; nothing was changed.", {"password": "Wrong password."})
    with transaction.atomic():
        kind = _code_ok(user, code)
    if kind is None:
        raise AccountError("Type a current code from your app, or a recovery code; nothing was changed.",
                           {"code": WRONG_CODE})
    return kind


def disable_totp(*, user: User, password: str, code: str, by: Actor) -> None:
    """Turn the authenticator-app factor off yourself: needs the password and a current code."""
    kind = prove_password_and_code(user, password, code)
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(totp_secret="")
        audit.record(action="totp_disable", by=by, obj=user, detail={"proof": kind})
    user.totp_secret = ""


def remove_passkey(*, passkey: Passkey, password: str, code: str, by: Actor) -> None:
    """Remove one of your passkeys: needs the password and a current code (app or recovery code)."""
    kind = prove_password_and_code(passkey.user, password, code)
    with transaction.atomic():
        Passkey.objects.filter(pk=passkey.pk).delete()
        audit.record(action="passkey_remove", by=by, obj=passkey.user, detail={"name": passkey.name, "proof": kind})


def clear_factors(user: User, *, by: Actor, clinic: Any) -> None:
    """Remove every factor and recovery code (inside a clinic admin's audited reset)."""
    User.objects.filter(pk=user.pk).update(totp_secret="")
    removed = Passkey.objects.filter(user=user).delete()[0]
    RecoveryCode.objects.filter(user=user).delete()
    audit.record(action="second_factor_reset", by=by, clinic=clinic, obj=user, detail={"passkeys_removed": removed})
    user.totp_secret = ""


# --- WebAuthn passkeys / security keys ---

def _b64(data: bytes) -> str:
    from webauthn.helpers import bytes_to_base64url

    return str(bytes_to_base64url(data))


def registration_options(*, user: User, rp_id: str) -> tuple[str, str]:
    """Options for navigator.credentials.create (JSON) and the challenge to keep in the session."""
    from webauthn import generate_registration_options, options_to_json
    from webauthn.helpers.structs import (
        AuthenticatorSelectionCriteria,
        PublicKeyCredentialDescriptor,
        ResidentKeyRequirement,
    )

    options = generate_registration_options(
        rp_id=rp_id, rp_name="KetaCare", user_name=user.username, user_id=str(user.pk).encode(),
        user_display_name=user.get_full_name() or user.username,
        authenticator_selection=AuthenticatorSelectionCriteria(resident_key=ResidentKeyRequirement.DISCOURAGED),
        exclude_credentials=[PublicKeyCredentialDescriptor(id=bytes(p.credential_id)) for p in user.passkeys.all()])
    return options_to_json(options), _b64(options.challenge)


def register_passkey(*, user: User, name: str, credential: str, challenge: str, origin: str, rp_id: str, by: Actor) -> Passkey:
    """Verify a new credential against the challenge we issued and keep its public key."""
    from webauthn import base64url_to_bytes, verify_registration_response
    from webauthn.helpers.exceptions import WebAuthnException

    name = name.strip()[:80]
    if not name:
        raise AccountError("Give the key a name you will recognise (e.g. 'blue security key').", {"name": "Required."})
    if not challenge:
        raise AccountError("The key registration expired; try again.")
    try:
        verified = verify_registration_response(credential=credential, expected_challenge=base64url_to_bytes(challenge),
                                                expected_rp_id=rp_id, expected_origin=origin)
    except (WebAuthnException, ValueError, KeyError, TypeError, json.JSONDecodeError) as exc:
        raise AccountError(f"The key could not be registered: {exc}") from None
    with transaction.atomic():
        passkey = Passkey.objects.create(user=user, name=name, credential_id=verified.credential_id,
                                         credential_id_b64=_b64(verified.credential_id),
                                         public_key=verified.credential_public_key, sign_count=verified.sign_count)
        audit.record(action="passkey_add", by=by, obj=user, detail={"name": name})
    return passkey


def authentication_options(*, user: User, rp_id: str) -> tuple[str, str]:
    """Options for navigator.credentials.get limited to the user's keys, and the challenge to keep."""
    from webauthn import generate_authentication_options, options_to_json
    from webauthn.helpers.structs import PublicKeyCredentialDescriptor

    options = generate_authentication_options(
        rp_id=rp_id, allow_credentials=[PublicKeyCredentialDescriptor(id=bytes(p.credential_id)) for p in user.passkeys.all()])
    return options_to_json(options), _b64(options.challenge)


def check_passkey(*, user: User, credential: str, challenge: str, origin: str, rp_id: str, address: str = "") -> None:
    """Verify a passkey assertion of one of the user's keys; a failure counts towards the lockout."""
    from webauthn import base64url_to_bytes, verify_authentication_response
    from webauthn.helpers.exceptions import WebAuthnException

    refuse_if_locked(user, address)
    try:
        credential_id = str(json.loads(credential).get("id", ""))
    except (ValueError, AttributeError):
        credential_id = ""
    passkey = Passkey.objects.filter(user=user, credential_id_b64=credential_id).first() if credential_id else None
    try:
        if passkey is None or not challenge:
            raise ValueError("unknown key")
        verified = verify_authentication_response(
            credential=credential, expected_challenge=base64url_to_bytes(challenge), expected_rp_id=rp_id,
            expected_origin=origin, credential_public_key=bytes(passkey.public_key),
            credential_current_sign_count=passkey.sign_count)
    except (WebAuthnException, ValueError, KeyError, TypeError):
        raise fail_second_step(user, address, "That key was not accepted.", "credential") from None
    with transaction.atomic():
        Passkey.objects.filter(pk=passkey.pk).update(sign_count=verified.new_sign_count, last_used_at=now())
        User.objects.filter(pk=user.pk).update(failed_logins=0)
        audit.record(action="login_second_factor", by=user, detail={"factor": "passkey", "name": passkey.name})
