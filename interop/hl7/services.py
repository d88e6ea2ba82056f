"""File bedside-monitor messages (HL7 v2 ORU^R01) idempotently; quarantine what cannot be filed.

ACK policy: docs/adr/0004-hl7-ack-policy.md. `file_hl7_message` commits before it
returns "AA"; a parseable message it cannot file is kept in quarantine and answered "AE";
`Hl7Reject` (answer "AR") propagates to the listener. Nothing here logs patient data.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction

from accounts.actors import Actor
from accounts.models import Clinic, User
from accounts.permissions import Perm
from accounts.queries import require
from audit import services as audit
from clinical.errors import ClinicalError
from clinical.hl7 import Hl7ContentError, Hl7KeyTooLong, MessageHeader, OruMessage, parse_oru, read_header
from clinical.hl7.errors import APPLICATION_INTERNAL_ERROR, UNKNOWN_KEY_IDENTIFIER
from clinical.hl7.readings import TimedReading, readings_from_observations
from infusions.choices import IN_PROGRESS, ReadingSource
from infusions.models import InfusionSession
from infusions.services.common import locked, now, text, when
from infusions.services.vitals import TimedValues, check_recordable, store_readings
from patients.models import Patient
from scheduling.models import Chair
from toolkit.errors import ServiceError
from toolkit.locking import for_update

from ..choices import Hl7Status
from ..models import Hl7Message
from ..policy import hl7_options, hl7_time_zone
from .quarantine import Held, quarantine_room, timing_problem
from .senders import POISON, QUARANTINE_FULL, REASONS, count_refusals, refusal_of, registered


class NotFiled(Exception):
    """A readable message that cannot be filed; the text names no patient data."""

    def __init__(self, text: str, code: str = APPLICATION_INTERNAL_ERROR, *, keep: bool = True) -> None:
        super().__init__(text)
        self.text, self.code, self.keep = text, code, keep  # keep=False: answer AE, count it, store nothing


@dataclass(frozen=True)
class Filing:
    """What the listener answers: AA (committed) or AE (held in quarantine or dismissed)."""

    code: str
    text: str
    header: MessageHeader
    error_code: str = APPLICATION_INTERNAL_ERROR
    duplicate: bool = False
    readings: int = 0


def decode_raw(raw: bytes | str) -> str:
    if isinstance(raw, str):
        return raw
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def message_key(clinic: Clinic, header: MessageHeader) -> dict[str, Any]:
    return {"clinic": clinic, "sending_application": header.sending_application[:180],
            "sending_facility": header.sending_facility[:180], "control_id": header.control_id[:199]}


def sender_label(header: MessageHeader) -> str:
    return f"hl7:{header.sending_application}"[:150]


def location_keys(parsed: OruMessage) -> list[str]:
    """PV1-3's point of care, room and bed, lower-cased, blanks left out, in order."""
    loc = parsed.location
    return [k.strip().lower() for k in ((loc.point_of_care, loc.room, loc.bed) if loc else ()) if k.strip()]


def chair_matches(chair: Chair, keys: list[str]) -> bool:
    """A chair is the PV1-3 location when its code gives the same components, one of them, or its name does."""
    code = [part.strip().lower() for part in chair.location_code.split("^") if part.strip()]
    if code and (code == keys or (len(code) == 1 and code[0] in keys)):
        return True
    return chair.name.strip().lower() in keys


def match_session(clinic: Clinic, parsed: OruMessage) -> InfusionSession:
    """The clinic's session in progress for the patient in PID-3, confirmed by the chair in PV1-3."""
    ids = [p.id_number for p in parsed.patient_ids]
    if not ids:
        raise NotFiled("no patient identifier in PID-3", UNKNOWN_KEY_IDENTIFIER)
    patients = list(Patient.objects.in_clinic(clinic).filter(mrn__in=ids).values_list("pk", flat=True))
    if not patients:
        raise NotFiled("unknown patient: PID-3 matches no patient of this clinic", UNKNOWN_KEY_IDENTIFIER)
    sessions = list(InfusionSession.objects.filter(clinic=clinic, patient__in=patients, state__in=IN_PROGRESS)
                    .select_related("chair"))
    if not sessions:
        raise NotFiled("no session in progress for the patient in PID-3", UNKNOWN_KEY_IDENTIFIER)
    keys = location_keys(parsed)
    chairs = {c.pk for c in Chair.objects.in_clinic(clinic) if chair_matches(c, keys)} if keys else set()
    if chairs:
        sessions = [s for s in sessions if s.chair_id in chairs]
        if not sessions:
            raise NotFiled("the chair in PV1-3 is not the chair of the patient's session", UNKNOWN_KEY_IDENTIFIER)
    if len(sessions) > 1:
        raise NotFiled("more than one session in progress matches; send the chair in PV1-3", UNKNOWN_KEY_IDENTIFIER)
    return sessions[0]


def readings_of(parsed: OruMessage, received_at: datetime) -> tuple[TimedReading, ...]:
    try:
        readings = readings_from_observations(parsed.observations)
    except ClinicalError as exc:
        raise NotFiled(f"impossible values: {str(exc).split(' ')[0]} out of range") from None
    return readings


def _store(session: InfusionSession, readings: tuple[TimedReading, ...], message: Hl7Message, parsed: OruMessage,
           by: Actor) -> int:
    default_device = parsed.sending_application
    rows = [TimedValues(r.at, r.reading, r.equipment_id or default_device) for r in readings]
    if rows:
        store_readings(session, rows, source=ReadingSource.DEVICE, by=by, hl7_message_id=message.pk,
                       control_id=parsed.control_id)
    return len(rows)


def _file(clinic: Clinic, parsed: OruMessage, received_at: datetime, existing: Hl7Message | None) -> int:
    """File in one transaction; raise NotFiled (nothing written) or IntegrityError (a concurrent duplicate)."""
    session = match_session(clinic, parsed)
    readings = readings_of(parsed, received_at)
    problem = timing_problem(session, readings, received_at, clinic)
    if problem is not None:
        raise Held(problem, session)
    by = sender_label(parsed.header)
    with transaction.atomic():
        session = locked(session)
        if session.state not in IN_PROGRESS:
            raise NotFiled("no session in progress for the patient in PID-3", UNKNOWN_KEY_IDENTIFIER)
        if existing is None:
            message = Hl7Message.objects.create(**message_key(clinic, parsed.header), received_at=received_at,
                                                status=Hl7Status.FILED, session=session, location=location_text(parsed))
        else:
            message = for_update(Hl7Message.objects).get(pk=existing.pk)
            if message.status != Hl7Status.QUARANTINED:
                raise IntegrityError("resolved meanwhile")
            message.status, message.session, message.error = Hl7Status.FILED, session, ""
        message.reading_count = _store(session, readings, message, parsed, by)
        message.save()
        audit.record(action="hl7_file", by=by, clinic=clinic, patient=session.patient_id, obj=message,
                     detail={"control_id": parsed.control_id, "readings": message.reading_count, "session": session.pk})
    return message.reading_count


def location_text(parsed: OruMessage) -> str:
    loc = parsed.location
    return "^".join((loc.point_of_care, loc.room, loc.bed)).strip("^")[:120] if loc else ""


def _quarantine(clinic: Clinic, raw: bytes | str, header: MessageHeader, received_at: datetime, reason: NotFiled | Held,
                parsed: OruMessage | None) -> None:
    refs = ",".join(p.id_number for p in parsed.patient_ids)[:64] if parsed else ""
    held = isinstance(reason, Held)
    with transaction.atomic():
        message = Hl7Message.objects.create(
            **message_key(clinic, header), received_at=received_at, error=reason.text[:300],
            status=Hl7Status.HELD if held else Hl7Status.QUARANTINED,
            session=reason.session if isinstance(reason, Held) else None,
            patient_ref=refs, location=location_text(parsed) if parsed else "", raw=decode_raw(raw))
        audit.record(action="hl7_quarantine", by=sender_label(header), clinic=clinic, obj=message,
                     detail={"control_id": header.control_id, "error": reason.text})


def answer_existing(existing: Hl7Message, header: MessageHeader) -> Filing | None:
    """The answer to a resend, or None when a resend is tried again (it was in quarantine)."""
    if existing.status in (Hl7Status.FILED, Hl7Status.ASSIGNED, Hl7Status.ACCEPTED):
        return Filing("AA", "already filed", header, duplicate=True, readings=existing.reading_count)
    if existing.status == Hl7Status.DISMISSED:
        return Filing("AE", "message dismissed by the clinic", header, duplicate=True)
    if existing.status == Hl7Status.HELD:
        return Filing("AE", existing.error or "held for a nurse", header, duplicate=True)
    if existing.status == Hl7Status.REJECTED:
        return Filing("AE", "readings rejected by a nurse", header, duplicate=True)
    return None


def _refuse(clinic: Clinic, header: MessageHeader, peer: str, why: str, reason: NotFiled, at: datetime) -> Filing:
    """AE for a message that is counted, never stored (an unregistered sender, a poison key)."""
    with transaction.atomic():
        count_refusals(clinic, [(header, peer, why)], at)
    return Filing("AE", reason.text, header, reason.code)


def file_hl7_message(*, clinic: Clinic, raw: bytes | str, received_at: datetime | None = None, peer: str = "") -> Filing:
    """Parse and file one ORU^R01 for the clinic: AA after commit, AE with a quarantine row; Hl7Reject means AR."""
    received = received_at or now()
    header = read_header(raw)
    parsed: OruMessage | None = None
    content: NotFiled | None = None
    try:
        parsed = parse_oru(raw, default_tz=hl7_time_zone(clinic), options=hl7_options(clinic))
        header = parsed.header
    except Hl7ContentError as exc:
        content = NotFiled(str(exc), exc.hl7_error_code, keep=not isinstance(exc, Hl7KeyTooLong))
    why = refusal_of(registered(clinic), header, peer)
    if why is not None:
        return _refuse(clinic, header, peer, why, NotFiled(REASONS[why]), received)
    if content is not None and not content.keep:
        return _refuse(clinic, header, peer, POISON, content, received)
    try:
        if content is not None:
            raise content
        assert parsed is not None  # noqa: S101 - parsed unless content is set
        existing = Hl7Message.objects.filter(**message_key(clinic, header)).first()
        if existing is not None and (answer := answer_existing(existing, header)) is not None:
            return answer
        count = _file(clinic, parsed, received, existing)
        return Filing("AA", "filed", header, readings=count)
    except Held as exc:
        return _hold(clinic, raw, header, received, exc, parsed, peer)
    except NotFiled as exc:
        reason = exc
    except IntegrityError:
        return _after_race(clinic, header)
    if Hl7Message.objects.filter(**message_key(clinic, header)).exists():
        return Filing("AE", reason.text, header, reason.code, duplicate=True)
    return _hold(clinic, raw, header, received, reason, parsed, peer)


def _hold(clinic: Clinic, raw: bytes | str, header: MessageHeader, received: datetime, reason: NotFiled | Held,
          parsed: OruMessage | None, peer: str) -> Filing:
    """Keep the message for a nurse (quarantine, or held on its session) when the clinic's quarantine has room."""
    if not quarantine_room(clinic, len(raw), at=received):
        return _refuse(clinic, header, peer, QUARANTINE_FULL, NotFiled(REASONS[QUARANTINE_FULL]), received)
    try:
        _quarantine(clinic, raw, header, received, reason, parsed)
    except IntegrityError:
        return _after_race(clinic, header)
    return Filing("AE", reason.text, header, reason.code)


def _after_race(clinic: Clinic, header: MessageHeader) -> Filing:
    """Another connection stored the same control id first: answer as for a resend."""
    existing = Hl7Message.objects.filter(**message_key(clinic, header)).first()
    answer = answer_existing(existing, header) if existing else None
    return answer or Filing("AE", "held in quarantine", header, duplicate=True)


def assign_hl7_message(*, message: Hl7Message, session: InfusionSession, at: datetime | None = None,
                       by: User) -> Hl7Message:
    """A nurse files a quarantined message's readings to a session in progress she chooses."""
    require(Perm.TRIAGE_MONITOR_MESSAGES, by, message.clinic, to="assign monitor messages")
    moment = when(at)
    if session.clinic_id != message.clinic_id:
        raise ServiceError("Choose a session of this clinic.", {"session": "Not in this clinic."})
    try:
        parsed = parse_oru(message.raw, default_tz=hl7_time_zone(message.clinic), options=hl7_options(message.clinic))
        readings = readings_of(parsed, message.received_at)
    except (ClinicalError, NotFiled) as exc:
        raise ServiceError(f"This message cannot be filed ({exc}); dismiss it with a reason.") from None
    with transaction.atomic():
        session = locked(session)  # the session before the message (ketacare/locking.py)
        message = for_update(Hl7Message.objects).get(pk=message.pk)
        if message.status != Hl7Status.QUARANTINED:
            raise ServiceError("This message is no longer in quarantine.")
        check_recordable(session)
        if (problem := timing_problem(session, readings, message.received_at, message.clinic)) is not None:
            raise ServiceError(f"These readings cannot be charted on this session ({problem.removeprefix('held for a nurse: ')}).")
        message.reading_count = _store(session, readings, message, parsed, by)
        message.status, message.session, message.resolved_by, message.resolved_at = Hl7Status.ASSIGNED, session, by, moment
        message.save()
        audit.record(action="hl7_assign", by=by, clinic=message.clinic, patient=session.patient_id, obj=message,
                     detail={"control_id": message.control_id, "session": session.pk, "readings": message.reading_count})
    return message


def dismiss_hl7_message(*, message: Hl7Message, reason: str, at: datetime | None = None, by: User) -> Hl7Message:
    """A nurse dismisses a quarantined message with the reason; a resend is then answered AE."""
    require(Perm.TRIAGE_MONITOR_MESSAGES, by, message.clinic, to="dismiss monitor messages")
    reason, moment = text(reason, "reason", required=True, label="The reason"), when(at)
    with transaction.atomic():
        message = for_update(Hl7Message.objects).get(pk=message.pk)
        if message.status != Hl7Status.QUARANTINED:
            raise ServiceError("This message is no longer in quarantine.")
        message.status, message.resolved_by, message.resolved_at, message.resolution_note = (
            Hl7Status.DISMISSED, by, moment, reason)
        message.save()
        audit.record(action="hl7_dismiss", by=by, clinic=message.clinic, obj=message,
                     detail={"control_id": message.control_id, "reason": reason})
    return message
