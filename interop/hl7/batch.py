"""File the monitor messages that arrived together in one transaction (group commit), each with its own answer.

`file_batch` runs in the listener's filing thread on its one persistent connection. Inside one
transaction it looks up every key at once, matches sessions from the cache, locks those sessions
in primary-key order (the documented lock order), inserts the messages and their readings in one
statement each (through `infusions.services.store_device_readings`), and writes one audit event
per session and sender. If anything in the batch fails, the batch is rolled back and filed again
one message per transaction, so one bad message gets its own AE and the others still commit.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction

from audit import services as audit
from clinical.hl7 import MessageHeader, OruMessage
from clinical.hl7.errors import APPLICATION_INTERNAL_ERROR, UNKNOWN_KEY_IDENTIFIER
from infusions.choices import IN_PROGRESS
from infusions.models import InfusionSession
from infusions.services.common import now
from infusions.services.device import DeviceReadings, store_device_readings
from infusions.services.vitals import TimedValues
from toolkit.bulk import insert_rows

from ..choices import Hl7Status
from ..models import Hl7Message
from .cache import SessionCache
from .quarantine import Held, quarantine_room, timing_problem
from .senders import POISON, QUARANTINE_FULL, REASONS, count_refusals
from .services import (
    Filing,
    NotFiled,
    answer_existing,
    decode_raw,
    file_hl7_message,
    location_text,
    match_session,
    message_key,
    readings_of,
    sender_label,
)

log = logging.getLogger("ketacare.hl7")
Key = tuple[str, str, str]
FILED_COLUMNS = ("clinic_id", "sending_application", "sending_facility", "control_id", "received_at", "status",
                 "session_id", "location", "reading_count", "error", "patient_ref", "raw", "resolution_note")


class NoAck(Exception):
    """Filing failed for a reason a resend may cure (the database is down): answer nothing."""


@dataclass
class Incoming:
    """One framed message, parsed in the event loop: `parsed`, or the content error that holds it."""

    raw: bytes
    header: MessageHeader
    received_at: datetime
    parsed: OruMessage | None = None
    reason: NotFiled | None = None
    peer: str = ""  # the sender's IP address

    @property
    def key(self) -> Key:
        h = self.header
        return h.sending_application[:180], h.sending_facility[:180], h.control_id[:199]


@dataclass
class _Plan:
    """What the batch decided for each message before writing."""

    answers: dict[int, Filing | NoAck] = field(default_factory=dict)
    file: list[tuple[int, InfusionSession, list[TimedValues]]] = field(default_factory=list)
    hold: list[tuple[int, NotFiled | Held]] = field(default_factory=list)
    again: list[int] = field(default_factory=list)  # a resend of a held message: the one-message service
    same_as: dict[int, int] = field(default_factory=dict)  # a second copy in this batch -> the first
    refused: list[tuple[int, str, NotFiled]] = field(default_factory=list)  # AE, counted, never stored


def file_batch(clinic: Any, cache: SessionCache, items: Sequence[Incoming]) -> list[Filing | NoAck]:
    """Answer every message; all committed together, or (after a failure) one transaction each."""
    try:
        with transaction.atomic():
            return _file_together(clinic, cache, items)
    except (OperationalError, InterfaceError):
        if len(items) == 1:
            raise
        log.warning("hl7 batch of %s failed on the database; filing one by one", len(items))
    except Exception:
        if len(items) == 1:
            return [_failed(items[0])]
        log.exception("hl7 batch of %s failed; filing one by one", len(items))
    cache.forget()
    return [_file_alone(clinic, cache, item) for item in items]


def _file_alone(clinic: Any, cache: SessionCache, item: Incoming) -> Filing | NoAck:
    try:
        with transaction.atomic():
            return _file_together(clinic, cache, [item])[0]
    except (OperationalError, InterfaceError):
        return NoAck()
    except IntegrityError:  # perhaps another process stored the same key first: answer as for a resend
        known = Hl7Message.objects.filter(**message_key(clinic, item.header)).first()
        answer = answer_existing(known, item.header) if known is not None else None
        return answer or _failed(item)
    except Exception:
        return _failed(item)


def _failed(item: Incoming) -> Filing:
    """The one message the database refused: AE, so the sender's interface team sees it (ADR 0004)."""
    log.exception("hl7 %s from %s: could not be stored", item.header.control_id or "-", item.header.sending_application or "-")
    return Filing("AE", "the message could not be stored; nothing was filed", item.header, APPLICATION_INTERNAL_ERROR)


def _file_together(clinic: Any, cache: SessionCache, items: Sequence[Incoming]) -> list[Filing | NoAck]:
    cache.refresh()
    plan = _plan(clinic, cache, items)
    _lock_and_check(plan, cache)
    _write_filed(clinic, items, plan)
    _write_held(clinic, items, plan)
    _write_refused(clinic, items, plan)
    for i in plan.again:
        item = items[i]
        plan.answers[i] = file_hl7_message(clinic=clinic, raw=item.raw, received_at=item.received_at)
    for i, first in plan.same_as.items():
        plan.answers[i] = _copy_answer(plan.answers[first], items[i].header)
    return [plan.answers[i] for i in range(len(items))]


def _plan(clinic: Any, cache: SessionCache, items: Sequence[Incoming]) -> _Plan:
    plan, first_of = _Plan(), {}
    for i, item in enumerate(items):
        refusal = _refusal(cache, item)
        if refusal is not None:
            plan.refused.append((i, *refusal))
    refused = {i for i, _, _ in plan.refused}
    existing = _existing(clinic, [item for i, item in enumerate(items) if i not in refused])
    for i, item in enumerate(items):
        if i in refused:
            continue
        if item.key in first_of:
            plan.same_as[i] = first_of[item.key]
            continue
        first_of[item.key] = i
        known = existing.get(item.key)
        if item.reason is not None or item.parsed is None:
            reason = item.reason or NotFiled("unreadable")
            if known is None:
                plan.hold.append((i, reason))
            else:  # stored before: not held twice (as `file_hl7_message` answers)
                plan.answers[i] = Filing("AE", reason.text, item.header, reason.code, duplicate=True)
        elif known is not None:
            answer = answer_existing(known, item.header)
            if answer is None:
                plan.again.append(i)
            else:
                plan.answers[i] = answer
        else:
            _match(clinic, cache, item.parsed, item.received_at, i, plan)
    return plan


def _refusal(cache: SessionCache, item: Incoming) -> tuple[str, NotFiled] | None:
    """Why a message is refused without being stored (a poison key, an unregistered sender), or None."""
    if item.reason is not None and not item.reason.keep:
        return POISON, item.reason
    why = cache.senders.refusal(item.header, item.peer)
    return None if why is None else (why, NotFiled(REASONS[why]))


def _existing(clinic: Any, items: Sequence[Incoming]) -> dict[Key, Hl7Message]:
    """The stored messages with these keys: one indexed lookup per sender, all in one statement.

    One `SELECT ... UNION ALL` branch per sender (clinic, MSH-3, MSH-4, then MSH-10 IN ...) so each
    branch seeks the unique index; an OR of the keys would scan the clinic's whole feed history.
    """
    by_sender: dict[tuple[str, str], set[str]] = {}
    for item in items:
        app, facility, control_id = item.key
        by_sender.setdefault((app, facility), set()).add(control_id)
    if not by_sender:
        return {}
    table = connection.ops.quote_name(Hl7Message._meta.db_table)
    branches, params = [], []
    for (app, facility), ids in sorted(by_sender.items()):
        marks = ", ".join(["%s"] * len(ids))
        branches.append(f"SELECT id FROM {table} WHERE clinic_id = %s AND sending_application = %s "  # noqa: S608
                        f"AND sending_facility = %s AND control_id IN ({marks})")
        params += [clinic.pk, app, facility, *sorted(ids)]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(branches), params)
        found = [row[0] for row in cursor.fetchall()]
    if not found:  # the usual case: nothing of this batch was seen before, and no model is built
        return {}
    rows = Hl7Message.objects.filter(pk__in=found)
    return {(row.sending_application, row.sending_facility, row.control_id): row for row in rows}


def _match(clinic: Any, cache: SessionCache, parsed: OruMessage, received_at: datetime, i: int, plan: _Plan) -> None:
    try:
        session = cache.match(parsed) or match_session(clinic, parsed)
        readings = readings_of(parsed, received_at)
    except NotFiled as exc:
        plan.hold.append((i, exc))
        return
    if (problem := timing_problem(session, readings, received_at, clinic)) is not None:
        plan.hold.append((i, Held(problem, session)))
        return
    device = parsed.sending_application
    plan.file.append((i, session, [TimedValues(r.at, r.reading, r.equipment_id or device) for r in readings]))


def _lock_and_check(plan: _Plan, cache: SessionCache) -> None:
    """Lock the batch's sessions in pk order; a message whose session has left progress is held instead."""
    ids = sorted({session.pk for _, session, _ in plan.file})
    if not ids:
        return
    table, marks = connection.ops.quote_name(InfusionSession._meta.db_table), ", ".join(["%s"] * len(ids))
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:  # plain SQL: one statement a batch, without the ORM's compile per call
        cursor.execute(f"SELECT id, state FROM {table} WHERE id IN ({marks}) ORDER BY id{lock}", ids)  # noqa: S608
        states = dict(cursor.fetchall())
    gone = {pk for pk in ids if states.get(pk) not in IN_PROGRESS}
    if gone:
        cache.forget()
        reason = NotFiled("no session in progress for the patient in PID-3", UNKNOWN_KEY_IDENTIFIER)
        plan.hold.extend((i, reason) for i, session, _ in plan.file if session.pk in gone)
        plan.file = [entry for entry in plan.file if entry[1].pk not in gone]


def _write_filed(clinic: Any, items: Sequence[Incoming], plan: _Plan) -> int:
    if not plan.file:
        return 0
    rows = [(clinic.pk, *items[i].key, items[i].received_at, Hl7Status.FILED, session.pk,
             location_text(items[i].parsed), len(readings), "", "", "", "")
            for i, session, readings in plan.file]
    messages = insert_rows(Hl7Message, FILED_COLUMNS, rows)
    if len(messages) != len(rows):
        raise IntegrityError("the database did not return the new message ids")
    groups = [DeviceReadings(session, readings, message, items[i].header.control_id, sender_label(items[i].header))
              for (i, session, readings), message in zip(plan.file, messages, strict=True)]
    count = store_device_readings(groups=groups)
    _audit_filed(clinic, items, plan, messages)
    for (i, _, readings), _message in zip(plan.file, messages, strict=True):
        plan.answers[i] = Filing("AA", "filed", items[i].header, readings=len(readings))
    return count


def _audit_filed(clinic: Any, items: Sequence[Incoming], plan: _Plan, messages: list[int]) -> None:
    """One audit event per session and sender in the batch, naming every message it filed."""
    grouped: dict[tuple[int, str], list[tuple[int, InfusionSession, int, int]]] = {}
    for (i, session, readings), message in zip(plan.file, messages, strict=True):
        grouped.setdefault((session.pk, sender_label(items[i].header)), []).append((i, session, len(readings), message))
    audit.record_many([
        audit.Entry("hl7_file", by, clinic, entries[0][1].patient_id, entries[0][1],
                    {"session": entries[0][1].pk, "readings": sum(n for _, _, n, _ in entries),
                     "control_ids": [items[i].header.control_id for i, _, _, _ in entries],
                     "messages": [m for _, _, _, m in entries]})
        for (_, by), entries in grouped.items()])


def _write_held(clinic: Any, items: Sequence[Incoming], plan: _Plan) -> None:
    """Keep each held message for a nurse (in quarantine, or on its session) while the clinic's quarantine has room."""
    for i, reason in plan.hold:
        item = items[i]
        if not quarantine_room(clinic, len(item.raw), at=item.received_at):
            plan.refused.append((i, QUARANTINE_FULL, NotFiled(REASONS[QUARANTINE_FULL])))
            continue
        parsed = item.parsed
        refs = ",".join(p.id_number for p in parsed.patient_ids)[:64] if parsed else ""
        session = reason.session if isinstance(reason, Held) else None
        message = Hl7Message.objects.create(
            **message_key(clinic, item.header), received_at=item.received_at, error=reason.text[:300],
            status=Hl7Status.HELD if session else Hl7Status.QUARANTINED, session=session,
            patient_ref=refs, location=location_text(parsed) if parsed else "", raw=decode_raw(item.raw))
        audit.record(action="hl7_quarantine", by=sender_label(item.header), clinic=clinic, obj=message,
                     patient=session.patient_id if session else None,
                     detail={"control_id": item.header.control_id, "error": reason.text, "held_on": session.pk if session else None})
        plan.answers[i] = Filing("AE", reason.text, item.header, reason.code)


def _write_refused(clinic: Any, items: Sequence[Incoming], plan: _Plan) -> None:
    if not plan.refused:
        return
    count_refusals(clinic, [(items[i].header, items[i].peer, why) for i, why, _ in plan.refused], now())
    for i, why, reason in plan.refused:
        log.warning("hl7 %s from %s (%s): AE refused, %s", items[i].header.control_id[:40] or "-",
                    items[i].header.sending_application[:60] or "-", items[i].peer or "-", why)
        plan.answers[i] = Filing("AE", reason.text, items[i].header, reason.code)


def _copy_answer(first: Filing | NoAck, header: MessageHeader) -> Filing | NoAck:
    """A second copy of a message in the same batch: answered as a resend of the first."""
    if isinstance(first, NoAck):
        return first
    if first.code == "AA":
        return Filing("AA", "already filed", header, duplicate=True, readings=first.readings)
    return Filing("AE", first.text, header, first.error_code, duplicate=True)

