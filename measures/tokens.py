"""Patient-link tokens: a random nonce signed with django.core.signing; only a hash is stored.

The signature turns away forged or altered tokens before the database is asked; the
stored SHA-256 ties a token to exactly one link (one patient, one questionnaire).
"""

import hashlib
import secrets

from django.core import signing

SALT = "measures.patient-link"
MAX_AGE_S = 31 * 24 * 3600  # beyond the longest expiry a clinic may set (720 h)


class TokenRefused(ValueError):
    """The token was not made by this installation, or was altered."""


class TokenTooOld(ValueError):
    """The signature is genuine but older than any link may live."""


def make_token() -> tuple[str, str]:
    """Return a new token and the hash to store."""
    token = signing.dumps([secrets.token_urlsafe(16)], salt=SALT, compress=False)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_token(token: str) -> str:
    """Return the hash of a genuine token, or raise TokenRefused / TokenTooOld."""
    if not isinstance(token, str) or len(token) > 300:
        raise TokenRefused("not a token")
    try:
        payload = signing.loads(token, salt=SALT, max_age=MAX_AGE_S)
    except signing.SignatureExpired:
        raise TokenTooOld("too old") from None
    except signing.BadSignature:
        raise TokenRefused("bad signature") from None
    if not (isinstance(payload, list) and len(payload) == 1 and isinstance(payload[0], str)):
        raise TokenRefused("unexpected payload")
    return hash_token(token)
