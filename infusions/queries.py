"""Scoped reads of the infusions app."""

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from clinical.phases import phase_of
from clinical.session_flow import SessionState as KState
from clinical.vitals import Phase, next_due_at

from .choices import IN_PROGRESS, NOT_HELD
from .models import InfusionSession, SessionEvent, VitalSign
from .services.common import schedule_of


def sessions_on(clinic: Any, day: datetime) -> QuerySet[InfusionSession]:
    """Sessions of the clinic on the local day of `day` (not cancelled), by chair then time."""
    tz = ZoneInfo(clinic.time_zone)
    local = day.astimezone(tz).date()
    start = datetime.combine(local, time(0), tz)
    return (InfusionSession.objects.in_clinic(clinic).exclude(state__in=NOT_HELD)
            .filter(scheduled_start__gte=start, scheduled_start__lt=start + timedelta(days=1))
            .select_related("patient", "chair").order_by("chair__name", "scheduled_start"))


def in_progress(clinic: Any) -> QuerySet[InfusionSession]:
    """Sessions in the chair now (checked in, not yet ended)."""
    return (InfusionSession.objects.in_clinic(clinic).filter(state__in=IN_PROGRESS)
            .select_related("patient", "chair").order_by("chair__name"))


def vitals_of(session: InfusionSession) -> list[VitalSign]:
    return list(VitalSign.objects.filter(session=session).select_related("entered_by").order_by("measured_at", "pk"))


def next_due(session: InfusionSession, vitals: list[VitalSign]) -> datetime | None:
    """When the next BP reading is due by the protocol's schedule (CLINICAL.md section 3), or None."""
    if session.state in NOT_HELD:
        return None
    phase = phase_of(KState(session.state))
    started = session.infusion_ended_at if phase is Phase.RECOVERING else session.started_at
    if phase is None or phase is Phase.PRE_START or started is None:
        return None
    bp = [v.measured_at for v in vitals if v.systolic_mmhg is not None]
    return next_due_at(schedule_of(session), phase, started, max(bp) if bp else None)


def patient_sessions(patient: Any) -> QuerySet[InfusionSession]:
    return (InfusionSession.objects.in_clinic(patient.clinic).filter(patient=patient)
            .select_related("chair").order_by("scheduled_start"))


def session_state_version() -> int:
    """A number that grows with every session state change (the newest SessionEvent id); 0 when none.

    Plain SQL: the HL7 listener asks once per batch, and the ORM's aggregate costs more than the query.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {connection.ops.quote_name(SessionEvent._meta.db_table)}")  # noqa: S608
        row = cursor.fetchone()
    return int(row[0] or 0) if row else 0
