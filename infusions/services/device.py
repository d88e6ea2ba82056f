"""Monitor readings of many sessions in one statement: the HL7 listener's group commit calls this."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from alerts import services as alerts
from alerts.choices import AlertKind
from alerts.queries import open_alerts
from toolkit.bulk import insert_rows

from ..choices import ReadingSource
from ..models import InfusionSession, VitalSign
from .common import now
from .vitals import FIELDS, TimedValues, raise_vital_alerts, vital_findings

COLUMNS = ("clinic_id", "session_id", "measured_at", "source", "device", "hl7_message_id", "message_control_id",
           "created_at", *FIELDS)


@dataclass(frozen=True)
class DeviceReadings:
    """One monitor message's readings for a locked session in progress."""

    session: InfusionSession
    rows: Sequence[TimedValues]
    hl7_message_id: int | None
    control_id: str
    by: Any


def store_device_readings(*, groups: Sequence[DeviceReadings]) -> int:
    """Write every group's readings in one INSERT and raise their alerts (inside the caller's transaction).

    The same rows and alerts as `store_readings` called per message, in order: the alert rules
    are judged per session over all its readings, and an overdue-BP alert is closed once. One
    query finds which sessions have an overdue alert open, so a quiet batch costs no query per session.
    """
    stamp = now()
    rows = [(g.session.clinic_id, g.session.pk, row.at, ReadingSource.DEVICE, row.device[:80], g.hl7_message_id,
             g.control_id[:64], stamp, *(getattr(row.reading, name) for name in FIELDS))
            for g in groups for row in g.rows]
    ids = iter(insert_rows(VitalSign, COLUMNS, rows))
    per_session: dict[int, list[tuple[TimedValues, int]]] = {}
    first: dict[int, DeviceReadings] = {}
    for g in groups:
        first.setdefault(g.session.pk, g)
        per_session.setdefault(g.session.pk, []).extend((row, next(ids)) for row in g.rows)
    clinic = groups[0].session.clinic if groups else None
    overdue = set(open_alerts(clinic).filter(session_id__in=list(per_session), kind=AlertKind.OVERDUE)
                  .values_list("session_id", flat=True)) if groups else set()
    for pk, pairs in per_session.items():
        session, by = first[pk].session, first[pk].by
        if any(vital_findings(session, [row for row, _ in pairs])):  # rare: only then build the rows the alerts cite
            raise_vital_alerts(session, [(row, _vital(session, row, vital_id, first[pk])) for row, vital_id in pairs],
                               by=by)
        bp_times = [row.at for row, _ in pairs if row.reading.systolic_mmhg is not None]
        if bp_times and pk in overdue:
            alerts.close_alerts(session=session, kind=AlertKind.OVERDUE, at=max(bp_times), by=by,
                                note="Closed automatically: a blood-pressure reading was recorded.")
    return len(rows)


def _vital(session: InfusionSession, row: TimedValues, pk: int, group: DeviceReadings) -> VitalSign:
    """The stored reading as a model instance (what an alert names as its source)."""
    vital = VitalSign(pk=pk, clinic_id=session.clinic_id, session=session, measured_at=row.at,
                      source=ReadingSource.DEVICE, device=row.device[:80], hl7_message_id=group.hl7_message_id,
                      message_control_id=group.control_id[:64], **{name: getattr(row.reading, name) for name in FIELDS})
    vital._state.adding, vital._state.db = False, "default"
    return vital
