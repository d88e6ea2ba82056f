"""What the session screen shows: the vitals charts with thresholds, the next due reading, the buttons."""

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from alerts.queries import session_alerts
from clinical.charts import HorizontalLine, Series, VerticalMarker, line_chart
from clinical.session_flow import Action, allowed_actions
from clinical.session_flow import SessionState as KState
from clinical.vitals import Thresholds

from . import queries
from .choices import NOT_HELD, SessionState
from .models import InfusionSession, VitalSign
from .services.common import thresholds_of
from .services.stopping import planned_minutes, running_minutes

BUTTONS = {  # action -> (label, css class, needs a reason)
    Action.START: ("Start infusion", "ok", False),
    Action.PAUSE: ("Pause", "secondary", True),
    Action.RESUME: ("Resume", "ok", False),
    Action.STOP_INFUSION: ("Stop: dose complete", "", False),
    Action.STOP_EARLY: ("Stop early", "danger", True),
    Action.TRANSFER: ("Transfer to emergency care", "danger", True),
}


def buttons(session: InfusionSession, now: datetime | None = None) -> list[dict[str, Any]]:
    """The transitions the kernel allows now that are run by a button (check-in, verify, discharge have pages).

    "Stop: dose complete" before the planned infusion time asks for a reason (an early stop, issue 10).
    """
    if session.state in NOT_HELD:
        return []
    found = []
    for action in allowed_actions(KState(session.state)):
        if action in BUTTONS:
            label, css, reason = BUTTONS[action]
            button = {"action": action.value, "label": label, "css": css, "needs_reason": reason, "placeholder": ""}
            if action is Action.STOP_INFUSION:
                button |= _early_stop_prompt(session, now or datetime.now(UTC))
            found.append(button)
    return found


def _early_stop_prompt(session: InfusionSession, now: datetime) -> dict[str, Any]:
    ran, planned = running_minutes(session, now), planned_minutes(session)
    if planned <= 0 or ran >= planned:
        return {}
    return {"needs_reason": True, "early": True,
            "placeholder": f"Reason to stop after {ran} of {planned} min (before the planned time)"}


def paused_since(session: InfusionSession) -> datetime | None:
    """When the current pause began (the 'Paused for' clock), or None unless paused."""
    if session.state != SessionState.PAUSED:
        return None
    return (session.events.filter(action="pause").order_by("-at", "-pk").values_list("at", flat=True).first())


def _span(session: InfusionSession, vitals: list[VitalSign], now: datetime) -> tuple[datetime, datetime]:
    times = [v.measured_at for v in vitals]
    start = min([session.checked_in_at or now, *times]) - timedelta(minutes=2)
    if session.state in queries.IN_PROGRESS:
        end = max([now, *times])
    else:
        end = max([t for t in (session.discharged_at, session.infusion_ended_at, *times) if t is not None] or [now])
    end += timedelta(minutes=2)
    return start, max(end, start + timedelta(minutes=20))


def _series(name: str, vitals: list[VitalSign], field: str, tz: ZoneInfo) -> Series:
    points = tuple((v.measured_at.astimezone(tz), float(getattr(v, field))) for v in vitals if getattr(v, field) is not None)
    return Series(name, points, css_class=f"vital-{field.split('_')[0]}")


def _markers(session: InfusionSession, tz: ZoneInfo, start: datetime, end: datetime) -> list[VerticalMarker]:
    found = [(session.started_at, "start"), (session.infusion_ended_at, "end")]
    return [VerticalMarker(at.astimezone(tz), label) for at, label in found if at is not None and start <= at <= end]


def _bounds(values: list[float], low: float, high: float, pad: float) -> tuple[float, float]:
    return min([low, *[v - pad for v in values]]), max([high, *[v + pad for v in values]])


def charts(session: InfusionSession, vitals: list[VitalSign], now: datetime) -> dict[str, str]:
    """Two SVG charts: blood pressure and heart rate, and SpO2, each with the protocol's thresholds drawn."""
    tz = ZoneInfo(session.clinic.time_zone)
    start, end = _span(session, vitals, now)
    x_min, x_max = start.astimezone(tz), end.astimezone(tz)
    t: Thresholds = thresholds_of(session)
    bp = [_series("Systolic", vitals, "systolic_mmhg", tz), _series("Diastolic", vitals, "diastolic_mmhg", tz),
          _series("Heart rate", vitals, "heart_rate_bpm", tz)]
    bp_lines = [HorizontalLine(float(t.sbp_pause_mmhg), f"SBP pause {t.sbp_pause_mmhg}", colour="#b3261e"),
                HorizontalLine(float(t.sbp_do_not_start_mmhg), f"SBP do not start {t.sbp_do_not_start_mmhg}", colour="#a15c00"),
                HorizontalLine(float(t.dbp_pause_mmhg), f"DBP pause {t.dbp_pause_mmhg}", colour="#b3261e"),
                HorizontalLine(float(t.hr_warn_above_bpm), f"HR warn {t.hr_warn_above_bpm}", colour="#a15c00")]
    values = [p[1] for s in bp for p in s.points]
    low, high = _bounds(values + [ln.value for ln in bp_lines], 40, 200, 10)
    spo2 = [_series("SpO2", vitals, "spo2_pct", tz)]
    spo2_lines = [HorizontalLine(float(t.spo2_warn_below_pct), f"warn below {t.spo2_warn_below_pct}", colour="#a15c00"),
                  HorizontalLine(float(t.spo2_stop_below_pct), f"stop below {t.spo2_stop_below_pct}", colour="#b3261e")]
    s_low, s_high = _bounds([p[1] for p in spo2[0].points] + [ln.value for ln in spo2_lines], 84, 100, 1)
    markers = _markers(session, tz, start, end)
    return {
        "bp": line_chart(bp, x_min=x_min, x_max=x_max, y_min=low, y_max=high, hlines=bp_lines, markers=markers,
                         title="Blood pressure and heart rate", y_label="mmHg · /min", height=280),
        "spo2": line_chart(spo2, x_min=x_min, x_max=x_max, y_min=s_low, y_max=min(s_high, 101.0), hlines=spo2_lines, markers=markers,
                           title="SpO2", y_label="%", height=200),
    }


def elapsed_since(session: InfusionSession) -> datetime | None:
    """What the big clock counts from: the start while infusing, the pause while paused, the end while recovering,
    else check-in."""
    if session.state == SessionState.PAUSED:
        return paused_since(session) or session.started_at
    if session.state == SessionState.INFUSING:
        return session.started_at
    if session.state == SessionState.RECOVERING:
        return session.infusion_ended_at
    if session.state in (SessionState.CHECKED_IN, SessionState.DOSE_VERIFIED):
        return session.checked_in_at
    return None


def live_context(session: InfusionSession, now: datetime) -> dict[str, Any]:
    """Everything the polled part of the session screen shows."""
    vitals = queries.vitals_of(session)
    due = queries.next_due(session, vitals)
    return {
        "session": session, "vitals": vitals[-12:][::-1], "vital_count": len(vitals), "alerts": session_alerts(session),
        "charts": charts(session, vitals, now), "next_due": due, "overdue": due is not None and due < now,
        "latest": vitals[-1] if vitals else None, "now": now,
    }


def label_of(action: str) -> str:
    """The button label of an action name (for confirmation messages)."""
    found = next((label for a, (label, _, _) in BUTTONS.items() if a.value == action), None)
    return found or action.replace("_", " ").capitalize()
