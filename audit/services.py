"""Write audit events (inside the caller's transaction) and verify the chain."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import IntegrityError, models, transaction

from accounts.actors import Actor, user_of
from accounts.models import Clinic

from .chain import hashed_fields, row_digest
from .context import client_addr
from .models import AuditEvent, AuditHead


def record(
    *,
    action: str,
    by: Actor,
    clinic: Clinic | None = None,
    patient: Any = None,
    obj: models.Model | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event; must run inside the transaction of the change it records."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must run inside the transaction of the change it records")
    actor = user_of(by)
    fields = {
        "actor": actor, "actor_label": _label(by), "clinic": clinic, "patient_id": getattr(patient, "pk", patient),
        "action": action, "object_type": obj._meta.label_lower if obj is not None else "",
        "object_id": str(obj.pk) if obj is not None else "", "client_addr": client_addr.get(),
        "detail": _jsonable(detail or {}),
    }
    for _ in range(CLAIM_ATTEMPTS):
        event = _try_append(fields)
        if event is not None:
            return event
    raise RuntimeError("The audit chain stayed busy; nothing was saved. Try again.")


CLAIM_ATTEMPTS = 8


def _try_append(fields: dict[str, Any]) -> AuditEvent | None:
    """Append after the current head, or return None when another writer took that place first.

    The head row is locked on PostgreSQL; SQLite serialises writers with IMMEDIATE transactions. The
    conditional head update and the unique `seq` are the last line: a lost race is retried, never
    written twice (ADR 0002).
    """
    head, _ = AuditHead.objects.select_for_update().get_or_create(id=1)
    event = AuditEvent(seq=head.seq + 1, at=datetime.now(UTC), prev_hash=head.last_hash, **fields)
    event.row_hash = row_digest(event.prev_hash, hashed_fields(event))
    try:
        with transaction.atomic():
            event.save()
            claimed = AuditHead.objects.filter(id=1, seq=head.seq, last_hash=head.last_hash).update(
                seq=event.seq, last_hash=event.row_hash)
            if claimed != 1:
                raise IntegrityError("audit head moved")
    except IntegrityError:
        return None
    return event


def _label(by: Actor) -> str:
    if by is None:
        return "system"
    if isinstance(by, str):
        return by
    return getattr(by, "username", str(by))


def _jsonable(detail: dict[str, Any]) -> dict[str, Any]:
    import json

    return json.loads(json.dumps(detail, default=str))


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    problem: str


def verify_chain(batch: int = 2000) -> Iterator[ChainProblem]:
    """Yield every altered, removed or misordered row of the audit chain."""
    expected_seq, prev = 1, "0" * 64
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=batch):
        if event.seq != expected_seq:
            yield ChainProblem(expected_seq, f"rows {expected_seq}..{event.seq - 1} are missing")
        if event.prev_hash != prev:
            yield ChainProblem(event.seq, "does not link to the row before it")
        if row_digest(event.prev_hash, hashed_fields(event)) != event.row_hash:
            yield ChainProblem(event.seq, "was altered after it was written")
        expected_seq, prev = event.seq + 1, event.row_hash
    head = AuditHead.objects.filter(id=1).first()
    if head and head.seq != expected_seq - 1:
        yield ChainProblem(head.seq, f"the chain should end at row {head.seq} but ends at {expected_seq - 1}")
