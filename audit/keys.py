"""The audit trail's keys, kept outside the database (ADR 0019).

- The **HMAC key ring** keys every row hash (hash version 3) and every chain head. It comes from
  `KETACARE_AUDIT_KEYS` (`id:secret,id:secret`, the last one current) or from the key file
  `KETACARE_AUDIT_KEY_FILE` (one `id secret` line per key, the last one current). Rotation appends
  a key; old keys stay so the rows they keyed still verify (each row names its key id).
- The **checkpoint signing key** (Ed25519, PEM) signs checkpoints; its public half verifies them.

Without configuration both are created on first use under KETACARE_VAR_DIR/keys (dev and tests);
a production deployment keeps them elsewhere (every management command warns otherwise, check audit.W001).
"""

import base64
import hashlib
import os
import secrets
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings


class AuditKeyError(RuntimeError):
    """A key the audit trail needs is missing or malformed."""


@dataclass(frozen=True)
class KeyRing:
    keys: dict[str, bytes]
    current: str

    def secret(self, key_id: str) -> bytes:
        try:
            return self.keys[key_id]
        except KeyError:
            raise AuditKeyError(f"audit key {key_id!r} is not in the key ring") from None


_cache: dict[tuple[str, str, float], KeyRing] = {}
_recent: dict[str, tuple[float, KeyRing]] = {}  # path -> (when last looked at, ring)


def key_file() -> Path:
    return Path(settings.KETACARE_AUDIT_KEY_FILE)


def key_ring() -> KeyRing:
    """The HMAC keys, from the environment setting or the key file (created on first use).

    The file is looked at again at most once a second, so a rotation reaches running processes.
    """
    inline = settings.KETACARE_AUDIT_KEYS
    if inline:
        return _cached(("env", inline, 0.0), lambda: _parse(inline.replace(",", "\n").replace(":", " "),
                                                           "KETACARE_AUDIT_KEYS"))
    where = settings.KETACARE_AUDIT_KEY_FILE
    recent = _recent.get(where)
    if recent is not None and time.monotonic() - recent[0] < 1.0:
        return recent[1]
    path = Path(where)
    if not path.exists():
        create_key_file(path)
    ring = _cached(("file", str(path), path.stat().st_mtime), lambda: _parse(path.read_text(), str(path)))
    _recent.clear()
    _recent[where] = (time.monotonic(), ring)
    return ring


def _cached(stamp: tuple[str, str, float], load: Callable[[], KeyRing]) -> KeyRing:
    ring = _cache.get(stamp)
    if ring is None:
        _cache.clear()
        ring = _cache[stamp] = load()
    return ring


def _parse(text: str, where: str) -> KeyRing:
    keys: dict[str, bytes] = {}
    current = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) != 2 or len(parts[0]) > 16:
            raise AuditKeyError(f"{where}: each key is `id secret` with an id of at most 16 characters")
        secret = _decode(parts[1], where)
        keys[parts[0]] = secret
        current = parts[0]
    if not keys:
        raise AuditKeyError(f"{where} holds no audit key")
    return KeyRing(keys=keys, current=current)


def _decode(text: str, where: str) -> bytes:
    try:
        secret = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError:
        raise AuditKeyError(f"{where}: a key secret must be base64") from None
    if len(secret) < 32:
        raise AuditKeyError(f"{where}: a key secret must be at least 32 bytes")
    return secret


def _new_secret() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")


def create_key_file(path: Path) -> bool:
    """Create a key file holding one new key (owner-only); False when it already exists."""
    text = ("# KetaCare audit HMAC keys: `id secret`, the last line is current. Keep outside the database.\n"
            f"k1 {_new_secret()}\n")
    return _create_exclusively(path, text.encode())


def _create_exclusively(path: Path, content: bytes) -> bool:
    """Write `content` to `path` owner-only, whole or not at all; False when the file already exists.

    Written beside it first and linked into place, so a concurrent first use (two test workers, two
    server processes) never reads a half-written key.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".new-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(content)
        os.chmod(temp, 0o600)
        os.link(temp, path)
    except FileExistsError:
        return False
    finally:
        os.unlink(temp)
    return True


def rotate_key(path: Path | None = None) -> str:
    """Append a new key to the key file and make it current; return its id."""
    if settings.KETACARE_AUDIT_KEYS:
        raise AuditKeyError("the keys come from KETACARE_AUDIT_KEYS: append `id:secret` there to rotate")
    path = path or key_file()
    ring = key_ring()
    number = 1 + max((int(k[1:]) for k in ring.keys if k[:1] == "k" and k[1:].isdigit()), default=0)
    key_id = f"k{number}"
    with path.open("a") as out:
        out.write(f"{key_id} {_new_secret()}\n")
    _recent.clear()
    return key_id


# --- the checkpoint signing key ---------------------------------------------------------------

def signing_key_file() -> Path:
    return Path(settings.KETACARE_AUDIT_SIGNING_KEY_FILE)


def public_key_file() -> Path:
    configured = settings.KETACARE_AUDIT_CHECKPOINT_PUBLIC_KEY_FILE
    return Path(configured) if configured else signing_key_file().with_suffix(".pub.pem")


def create_signing_key(path: Path | None = None) -> bool:
    """Write a new Ed25519 key (owner-only) and its public half beside it; False when it exists."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    path = path or signing_key_file()
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    if not _create_exclusively(path, pem):
        return False
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    _create_exclusively(path.with_suffix(".pub.pem"), public)
    return True


def signing_key() -> Any:
    """The Ed25519 private key that signs checkpoints (created on first use where none is configured)."""
    from cryptography.hazmat.primitives import serialization

    path = signing_key_file()
    if not path.exists():
        create_signing_key(path)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    return _ed25519(key, path)


def verifying_key(path: Path | None = None) -> Any:
    """The Ed25519 public key checkpoints are verified with (a file, or the signing key's public half)."""
    from cryptography.hazmat.primitives import serialization

    path = path or public_key_file()
    if path.exists():
        return _ed25519(serialization.load_pem_public_key(path.read_bytes()), path)
    return signing_key().public_key()


def _ed25519(key: Any, path: Path) -> Any:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

    if not isinstance(key, Ed25519PrivateKey | Ed25519PublicKey):
        raise AuditKeyError(f"{path} is not an Ed25519 key")
    return key


def fingerprint(public_key: Any) -> str:
    """A short name for a public key: the first 16 hex digits of SHA-256 over its raw bytes."""
    from cryptography.hazmat.primitives import serialization

    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def inside_data_dir(path: Path) -> bool:
    """True when `path` lies under KETACARE_VAR_DIR, next to the database and its backups."""
    try:
        path.resolve().relative_to(Path(settings.VAR_DIR).resolve())
    except ValueError:
        return False
    return True
