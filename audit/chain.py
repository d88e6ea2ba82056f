"""The hash that chains one audit row to the one before it (ADR 0002)."""

import hashlib
import json
from typing import Any


def row_digest(prev_hash: str, fields: dict[str, Any]) -> str:
    """Hash the previous hash and the row's fields, canonically serialised."""
    payload = json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256((prev_hash + "|" + payload).encode()).hexdigest()


def hashed_fields(event: Any) -> dict[str, Any]:
    """The fields of an AuditEvent that its hash covers."""
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
