"""The hash that chains one audit row to the one before it in its clinic's chain (ADR 0002).

A row's `hash_version` names how its hash was made, so a later version (a keyed HMAC with a key id,
issue 14) is added here beside the others and every stored row stays verifiable by its own rule:
- 1: SHA-256 over the old single global chain (rows written before per-clinic chains, chain -1);
- 2: SHA-256 over the row's fields including its chain, in a chain per clinic;
- 3: HMAC-SHA256 with a key kept outside the database (`audit.keys`), the key's id on the row (ADR 0019).
Each chain head carries an HMAC too (`head_mac`), over its place, last hash, genesis and the first
place that must be keyed, so neither the head nor the rule for older rows can be rewritten unseen.
"""

import hashlib
import hmac
import json
from collections.abc import Callable
from typing import Any

GENESIS = "0" * 64
LEGACY_CHAIN = -1  # the one global chain of rows written before chains were per clinic
SYSTEM_CHAIN = 0  # events that belong to no clinic
CURRENT_VERSION = 3
UNKEYED_VERSIONS = {1, 2}


def chain_of(clinic_id: int | None) -> int:
    """The chain an event of this clinic (or of none) is sealed into."""
    return clinic_id or SYSTEM_CHAIN


def _canonical(fields: dict[str, Any]) -> str:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str)


def row_digest(prev_hash: str, fields: dict[str, Any]) -> str:
    """Hash the previous hash and the row's fields, canonically serialised."""
    return hashlib.sha256((prev_hash + "|" + _canonical(fields)).encode()).hexdigest()


def keyed_digest(key: bytes, prev_hash: str, fields: dict[str, Any]) -> str:
    """HMAC-SHA256 of the previous hash and the row's fields, with a key kept outside the database."""
    return hmac.new(key, (prev_hash + "|" + _canonical(fields)).encode(), hashlib.sha256).hexdigest()


def hashed_fields(event: Any) -> dict[str, Any]:
    """The fields of an AuditEvent that a version-1 hash covers."""
    return {
        "seq": event.seq,
        "at": event.at.isoformat(),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "clinic_id": event.clinic_id,
        "patient_id": event.patient_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "client_addr": event.client_addr,
        "detail": event.detail,
    }


def _v1(event: Any) -> str:
    return row_digest(event.prev_hash, hashed_fields(event))


def _v2(event: Any) -> str:
    return row_digest(event.prev_hash, {**hashed_fields(event), "chain": event.chain, "v": 2})


def _v3(event: Any) -> str:
    from .keys import key_ring

    key = key_ring().secret(event.key_id)
    return keyed_digest(key, event.prev_hash, {**hashed_fields(event), "chain": event.chain, "v": 3, "key": event.key_id})


DIGESTS: dict[int, Callable[[Any], str]] = {1: _v1, 2: _v2, 3: _v3}


def digest_of(event: Any) -> str:
    """The hash a sealed event must carry, by its own version's rule (its seq and prev_hash set)."""
    try:
        return DIGESTS[event.hash_version](event)
    except KeyError:
        raise ValueError(f"unknown audit hash version {event.hash_version}") from None


def head_mac(head: Any, key_id: str) -> str:
    """The HMAC a chain head must carry: over its chain, place, last hash, genesis and keyed start."""
    from .keys import key_ring

    fields = {"chain": head.chain, "seq": head.seq, "last_hash": head.last_hash, "genesis_hash": head.genesis_hash,
              "keyed_from": head.keyed_from, "key": key_id}
    return keyed_digest(key_ring().secret(key_id), "head", fields)
