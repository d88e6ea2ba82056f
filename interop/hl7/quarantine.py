"""What is kept for a nurse: the quarantine's size and age limits, and readings held on their session.

A message whose readings are timed before its session's check-in, or after it arrived, by more
than the clinic's clock tolerance is *held* on that session (status `held`, AE to the sender),
never charted silently: the session screen shows it and a nurse accepts it (its readings are
charted at the time the listener received them, the monitor's clock being wrong) or rejects it.
Quarantined and held messages together keep at most the clinic's size limit of text; older than
its age limit they are dismissed and their text deleted (docs/adr/0014-monitor-port.md).
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Length

from accounts.models import Clinic, User
from accounts.permissions import Perm
from accounts.queries import require
from audit import services as audit
from clinical.errors import ClinicalError
from clinical.hl7 import parse_oru
from clinical.hl7.readings import TimedReading
from infusions.choices import ReadingSource
from infusions.models import InfusionSession
from infusions.services.common import locked, text, when
from infusions.services.vitals import TimedValues, check_recordable, store_readings
from toolkit.errors import ServiceError
from toolkit.locking import for_update

from ..choices import Hl7Status
from ..models import Hl7Message
from ..policy import hl7_clock_skew, hl7_options, hl7_quarantine_limits, hl7_time_zone

KEPT = (Hl7Status.QUARANTINED, Hl7Status.HELD)


class Held(Exception):
    """Readings that matched a session but are timed outside it: held on the session for a nurse (AE)."""

    def __init__(self, text: str, session: InfusionSession, code: str = "207") -> None:
        super().__init__(text)
        self.text, self.code, self.session, self.keep = text, code, session, True


def timing_problem(session: InfusionSession, readings: Sequence[TimedReading], received_at: datetime,
                   clinic: Clinic) -> str | None:
    """Why these readings may not be charted on the session as timed (before check-in or in the future), or None."""
    skew = hl7_clock_skew(clinic)
    if session.checked_in_at and any(r.at < session.checked_in_at - skew for r in readings):
        return "held for a nurse: an observation time is before the session's check-in; check the monitor's clock"
    if any(r.at > received_at + skew for r in readings):
        return "held for a nurse: an observation time is in the future; check the monitor's clock"
    return None


def expire_quarantine(clinic: Clinic, *, at: datetime) -> int:
    """Dismiss the clinic's held and quarantined messages older than its age limit and delete their text."""
    _, max_age = hl7_quarantine_limits(clinic)
    old = Hl7Message.objects.filter(clinic=clinic, status__in=KEPT, received_at__lt=at - max_age)
    with transaction.atomic():
        ids = list(old.values_list("pk", flat=True)[:5000])
        if not ids:
            return 0
        Hl7Message.objects.filter(pk__in=ids, status__in=KEPT).update(
            status=Hl7Status.DISMISSED, raw="", resolved_at=at, resolution_note=f"expired after {max_age.days} days")
        audit.record(action="hl7_quarantine_expire", by="hl7-listener", clinic=clinic,
                     detail={"messages": len(ids), "older_than_days": max_age.days})
    return len(ids)


def quarantine_room(clinic: Clinic, size: int, *, at: datetime) -> bool:
    """True when a message of `size` bytes fits in the clinic's quarantine (expired messages go first)."""
    max_bytes, _ = hl7_quarantine_limits(clinic)
    expire_quarantine(clinic, at=at)
    used = Hl7Message.objects.filter(clinic=clinic, status__in=KEPT).aggregate(n=Sum(Length("raw")))["n"] or 0
    return used + size <= max_bytes


def held_messages(session: InfusionSession) -> list[Hl7Message]:
    """The messages held on this session for a nurse, oldest first."""
    return list(Hl7Message.objects.filter(clinic_id=session.clinic_id, session=session, status=Hl7Status.HELD)
                .order_by("received_at", "pk"))


def _readings(message: Hl7Message) -> tuple[TimedReading, ...]:
    from clinical.hl7.readings import readings_from_observations

    try:
        parsed = parse_oru(message.raw, default_tz=hl7_time_zone(message.clinic), options=hl7_options(message.clinic))
        return readings_from_observations(parsed.observations)
    except ClinicalError as exc:
        raise ServiceError(f"This message cannot be filed ({exc}); reject it with a reason.") from None


def accept_held_message(*, message: Hl7Message, at: datetime | None = None, by: User) -> Hl7Message:
    """A nurse accepts held readings: charted on their session at the time the listener received them."""
    require(Perm.RECORD_VITALS, by, message.clinic, to="accept held monitor readings")
    moment = when(at)
    readings = _readings(message)
    if message.session_id is None:
        raise ServiceError("This message is not held on a session.")
    with transaction.atomic():
        session = locked(InfusionSession.objects.get(pk=message.session_id, clinic_id=message.clinic_id))
        message = for_update(Hl7Message.objects).get(pk=message.pk)
        if message.status != Hl7Status.HELD:
            raise ServiceError("This message is no longer held.")
        check_recordable(session)
        device = message.sending_application
        rows = [TimedValues(message.received_at, r.reading, r.equipment_id or device) for r in readings]
        store_readings(session, rows, source=ReadingSource.DEVICE, by=by, hl7_message_id=message.pk,
                       control_id=message.control_id)
        message.status, message.reading_count, message.resolved_by, message.resolved_at = (
            Hl7Status.ACCEPTED, len(rows), by, moment)
        message.save()
        audit.record(action="hl7_held_accept", by=by, clinic=message.clinic, patient=session.patient_id, obj=message,
                     detail={"control_id": message.control_id, "session": session.pk, "readings": len(rows),
                             "timed_as_sent": [r.at.isoformat() for r in readings],
                             "charted_at": message.received_at.isoformat()})
    return message


def reject_held_message(*, message: Hl7Message, reason: str, at: datetime | None = None, by: User) -> Hl7Message:
    """A nurse rejects held readings with the reason: nothing is charted; a resend is answered AE."""
    require(Perm.RECORD_VITALS, by, message.clinic, to="reject held monitor readings")
    reason, moment = text(reason, "reason", required=True, label="The reason"), when(at)
    with transaction.atomic():
        message = for_update(Hl7Message.objects).get(pk=message.pk)
        if message.status != Hl7Status.HELD:
            raise ServiceError("This message is no longer held.")
        message.status, message.resolved_by, message.resolved_at, message.resolution_note = (
            Hl7Status.REJECTED, by, moment, reason)
        message.save()
        audit.record(action="hl7_held_reject", by=by, clinic=message.clinic, patient=_patient(message), obj=message,
                     detail={"control_id": message.control_id, "reason": reason})
    return message


def _patient(message: Hl7Message) -> Any:
    if message.session_id is None:
        return None
    return InfusionSession.objects.filter(pk=message.session_id).values_list("patient_id", flat=True).first()

