"""Calendar KPIs of a period: wait from order to first infusion, chair use, nurse overtime, out-of-window sessions."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from accounts.policy import policy_value
from infusions.choices import SessionState
from infusions.models import InfusionSession

from .models import Chair, PatientAvailability, SessionPlan
from .planning import closed_weekdays, nurse_shifts


def _minutes(t: str) -> int:
    hours, minutes = t.split(":")
    return int(hours) * 60 + int(minutes)


def _outside(lo: int, hi: int, spans: list[tuple[int, int]]) -> int:
    """Minutes of [lo, hi) not covered by any one span (a session must lie inside a single shift)."""
    return min((max(0, a - lo) + max(0, hi - b) for a, b in spans), default=hi - lo)


def calendar_kpis(clinic: Any, first_on: date, days: int) -> dict[str, Any]:
    tz = ZoneInfo(clinic.time_zone)
    start = datetime.combine(first_on, time.min, tz)
    sessions = list(InfusionSession.objects.in_clinic(clinic).exclude(state=SessionState.CANCELLED)
                    .filter(scheduled_start__gte=start, scheduled_start__lt=start + timedelta(days=days))
                    .select_related("course"))
    setup, discharge = int(policy_value(clinic, "schedule_setup_min")), int(policy_value(clinic, "schedule_discharge_min"))
    firsts = [s for s in sessions if not InfusionSession.objects.filter(
        course=s.course, scheduled_start__lt=s.scheduled_start).exclude(state=SessionState.CANCELLED).exists()]
    waits = [(s.scheduled_start.astimezone(tz).date() - s.course.ordered_at.astimezone(tz).date()).days for s in firsts]
    closed = closed_weekdays(clinic)
    open_days = sum((first_on + timedelta(days=d)).weekday() not in closed for d in range(days))
    open_min = _minutes(policy_value(clinic, "schedule_close")) - _minutes(policy_value(clinic, "schedule_open"))
    capacity = Chair.objects.in_clinic(clinic).filter(active=True).count() * open_days * open_min
    used = sum((s.scheduled_end - s.scheduled_start).total_seconds() // 60 for s in sessions)
    return {"sessions": len(sessions), "mean_wait_days": round(sum(waits) / len(waits), 2) if waits else None,
            "chair_utilisation": round(used / capacity, 3) if capacity else 0.0,
            "nurse_overtime_min": _overtime(clinic, sessions, first_on, days, setup, discharge),
            "outside_windows": _outside_windows(sessions, setup, discharge, tz)}


def _clock(moment: datetime, tz: ZoneInfo) -> tuple[date, int]:
    local = moment.astimezone(tz)
    return local.date(), local.hour * 60 + local.minute


def _overtime(clinic: Any, sessions: list, first_on: date, days: int, setup: int, discharge: int) -> int:
    tz = ZoneInfo(clinic.time_zone)
    nurse_of = dict(SessionPlan.objects.filter(session__in=sessions).values_list("session_id", "nurse_id"))
    shifts = {n.pk: rows for n, rows in nurse_shifts(clinic, first_on, days).items()}
    total = 0
    for s in sessions:
        if nurse_of.get(s.pk) is None:
            continue
        on, lo = _clock(s.scheduled_start, tz)
        hi = lo + int((s.scheduled_end - s.scheduled_start).total_seconds() // 60) + discharge
        day = (on - first_on).days
        spans = [(_minutes(r["start"]), _minutes(r["end"])) for r in shifts.get(nurse_of[s.pk], []) if r["day"] == day]
        total += _outside(lo - setup, hi, spans)
    return total


def _outside_windows(sessions: list, setup: int, discharge: int, tz: ZoneInfo) -> int:
    windows: dict[int, list] = defaultdict(list)
    for w in PatientAvailability.objects.filter(patient_id__in={s.patient_id for s in sessions}):
        windows[w.patient_id].append(w)
    count = 0
    for s in sessions:
        if not windows.get(s.patient_id):
            continue
        on, lo = _clock(s.scheduled_start, tz)
        hi = lo + int((s.scheduled_end - s.scheduled_start).total_seconds() // 60) + discharge
        fits = any(w.weekday == on.weekday() and w.starts.hour * 60 + w.starts.minute <= lo - setup
                   and hi <= w.ends.hour * 60 + w.ends.minute for w in windows[s.patient_id])
        count += not fits
    return count
