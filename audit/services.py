"""Write audit events (inside the caller's transaction) and verify the chains (ADR 0002).

`record` is one INSERT: no lock, no read of a chain head, nothing shared between clinics. A write's
event is sealed into its clinic's hash chain after the transaction commits (on SQLite, inside it;
`audit.sealing`); a read (`*_view` action) is left for the next batch seal of its chain.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models, transaction

from .chain import CURRENT_VERSION, chain_of
from .context import client_addr
from .models import AuditEvent
from .sealing import seal, seal_all, seal_for_writer
from .verify import ChainProblem, verify_chain

__all__ = ["ChainProblem", "Entry", "record", "record_many", "seal", "seal_all", "verify_chain"]

# Who did it: a staff user, or the name of a system process (accounts.actors.Actor is the same union
# with the project's User; audit sits below accounts, so it names Django's base class).
Actor = AbstractBaseUser | str


@dataclass(frozen=True)
class Entry:
    """One event for `record_many`: the same arguments as `record`."""

    action: str
    by: Actor
    clinic: models.Model | int | None = None
    patient: Any = None
    obj: models.Model | None = None
    detail: dict[str, Any] = field(default_factory=dict)



def record(
    *,
    action: str,
    by: Actor,
    clinic: models.Model | int | None = None,
    patient: Any = None,
    obj: models.Model | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event; must run inside the transaction of the change it records."""
    _check_in_transaction()
    event = _event(Entry(action, by, clinic, patient, obj, detail or {}))
    event.save()
    if not is_read(action):
        seal_for_writer(event.chain)
    return event


def record_many(entries: Sequence[Entry]) -> list[AuditEvent]:
    """Append several events in one INSERT, each chain sealed once (a batch of the monitor feed); inside the transaction."""
    _check_in_transaction()
    events = AuditEvent.objects.bulk_create([_event(entry) for entry in entries])
    for chain in sorted({e.chain for e, entry in zip(events, entries, strict=True) if not is_read(entry.action)}):
        seal_for_writer(chain)
    return events


def _check_in_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must run inside the transaction of the change it records")


def _event(entry: Entry) -> AuditEvent:
    clinic, obj = entry.clinic, entry.obj
    clinic_id: int | None = clinic if clinic is None or isinstance(clinic, int) else clinic.pk
    return AuditEvent(
        chain=chain_of(clinic_id), hash_version=CURRENT_VERSION, at=datetime.now(UTC),
        actor_id=_user_id(entry.by), actor_label=_label(entry.by), clinic_id=clinic_id,
        patient_id=getattr(entry.patient, "pk", entry.patient), action=entry.action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "", client_addr=client_addr.get(),
        detail=_jsonable(entry.detail),
    )


def is_read(action: str) -> bool:
    """Reads are `*_view` actions (ADR 0002): sealed in the next batch, not one by one."""
    return action.endswith("_view")


def _user_id(by: Actor) -> Any:
    """The staff user's id behind an actor, or None for a system process (or a user not saved)."""
    return by.pk if isinstance(by, AbstractBaseUser) else None


def _label(by: Actor) -> str:
    if by is None:
        return "system"
    if isinstance(by, str):
        return by
    return getattr(by, "username", str(by))


def _jsonable(detail: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(detail, default=str))
