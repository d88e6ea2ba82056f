"""Signed checkpoints of the audit chains, to be stored away from the database (ADR 0019).

A checkpoint names, for each chain (clinic), its place and head hash at a time, signed with an
Ed25519 key kept outside the database. Stored somewhere the database's writers cannot reach (a
write-once bucket, another host), it later proves the database still holds every checkpointed
prefix unchanged: the row at the checkpointed place must exist with the checkpointed hash, and the
verified links from genesis to that row then pin every row before it, even against someone who
holds the HMAC key.
"""

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .keys import fingerprint, signing_key, verifying_key
from .models import AuditChain, AuditEvent
from .verify import ChainProblem

FORMAT = "ketacare-audit-checkpoint/1"


class CheckpointError(ValueError):
    """A checkpoint file that cannot be read, or whose signature does not verify."""


def _payload(doc: dict[str, Any]) -> bytes:
    body = {k: v for k, v in doc.items() if k != "signature"}
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def make_checkpoint(*, clinics: list[int] | None = None, now: datetime | None = None) -> dict[str, Any]:
    """Sign each chain's current place and head hash (the caller seals and verifies first)."""
    key = signing_key()
    heads = AuditChain.objects.order_by("chain")
    if clinics:
        heads = heads.filter(chain__in=clinics)
    doc: dict[str, Any] = {
        "format": FORMAT,
        "at": (now or datetime.now(UTC)).isoformat(),
        "key": fingerprint(key.public_key()),
        "chains": [{"clinic": h.chain, "seq": h.seq, "head_hash": h.last_hash} for h in heads],
    }
    doc["signature"] = base64.b64encode(key.sign(_payload(doc))).decode()
    return doc


def read_checkpoint(path: Path, public_key_path: Path | None = None) -> dict[str, Any]:
    """Load a checkpoint file and check its signature; raise CheckpointError if either fails."""
    from cryptography.exceptions import InvalidSignature

    try:
        doc = json.loads(path.read_text())
        signature = base64.b64decode(doc["signature"], validate=True)
        entries = [(int(c["clinic"]), int(c["seq"]), str(c["head_hash"])) for c in doc["chains"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CheckpointError(f"{path}: not a readable audit checkpoint ({exc})") from None
    if doc.get("format") != FORMAT or not isinstance(doc["chains"], list) or len(entries) != len(doc["chains"]):
        raise CheckpointError(f"{path}: not a {FORMAT} document")
    public = verifying_key(public_key_path)
    try:
        public.verify(signature, _payload(doc))
    except InvalidSignature:
        raise CheckpointError(f"{path}: the signature does not verify with key {fingerprint(public)}") from None
    return doc


def check_against(doc: dict[str, Any]) -> Iterator[ChainProblem]:
    """Yield each checkpointed chain place the database no longer holds with the checkpointed hash."""
    for entry in doc["chains"]:
        chain, seq, head_hash = int(entry["clinic"]), int(entry["seq"]), str(entry["head_hash"])
        if seq == 0:
            continue
        row = AuditEvent.objects.filter(chain=chain, seq=seq).values_list("row_hash", flat=True).first()
        if row is None:
            yield ChainProblem(seq, f"checkpoint of {doc['at']}: row {seq} is gone", chain)
        elif row != head_hash:
            yield ChainProblem(seq, f"checkpoint of {doc['at']}: row {seq} no longer has the checkpointed hash "
                               "(it or a row before it was rewritten)", chain)
