"""The calendar's grid: per day, a lane per chair with its bookings and free slots, and the nurses on shift."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from accounts.policy import policy_value
from infusions.choices import SessionState
from infusions.models import InfusionSession

from .models import SessionPlan
from .planning import closed_weekdays, nurse_shifts
from .queries import active_chairs

ROW_MIN = 5  # one grid row is five minutes
HEAD_ROWS = 6  # rows above the first time row, for the chair names
FREE_MIN = 30  # free slots are offered every half hour


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


class Grid:
    def __init__(self, clinic: Any, first_on: date, days: int) -> None:
        self.clinic, self.first_on, self.days = clinic, first_on, days
        self.tz = ZoneInfo(clinic.time_zone)
        self.open_min = _minutes(policy_value(clinic, "schedule_open"))
        self.close_min = _minutes(policy_value(clinic, "schedule_close"))
        self.rows = (self.close_min - self.open_min) // ROW_MIN

    def row_of(self, minute_of_day: int) -> int:
        return HEAD_ROWS + (minute_of_day - self.open_min) // ROW_MIN + 1

    def time_labels(self) -> list[dict[str, Any]]:
        return [{"row": self.row_of(m) - HEAD_ROWS, "text": f"{m // 60:02d}:{m % 60:02d}"}
                for m in range(self.open_min, self.close_min, 60)]

    def _block(self, s: InfusionSession, total: dict[int, int], confirmed: set[int]) -> dict[str, Any] | None:
        start, end = s.scheduled_start.astimezone(self.tz), s.scheduled_end.astimezone(self.tz)
        lo = max(start.hour * 60 + start.minute, self.open_min)
        hi = min(end.hour * 60 + end.minute if end.date() == start.date() else 24 * 60, self.close_min)
        if hi <= lo:
            return None
        state = "confirmed" if s.state == SessionState.SCHEDULED and s.pk in confirmed else s.state
        return {"session": s, "row": self.row_of(lo), "span": max(1, (hi - lo) // ROW_MIN), "state": state,
                "label": f"{s.patient.full_name} · {s.number}/{total.get(s.course_id, '?')}",
                "time": f"{start:%H:%M}–{end:%H:%M}", "state_label": s.get_state_display()}

    def _free(self, day: date, blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
        taken = [(b["row"], b["row"] + b["span"]) for b in blocks]
        out = []
        for m in range(self.open_min, self.close_min, FREE_MIN):
            row, span = self.row_of(m), FREE_MIN // ROW_MIN
            if all(row + span <= a or b <= row for a, b in taken):
                at = datetime.combine(day, time(m // 60, m % 60), self.tz)
                out.append({"row": row, "span": span, "start": at.strftime("%Y-%m-%dT%H:%M"), "text": f"{at:%H:%M}"})
        return out

    def days_data(self) -> list[dict[str, Any]]:
        start = datetime.combine(self.first_on, time.min, self.tz)
        sessions = list(InfusionSession.objects.in_clinic(self.clinic).exclude(state=SessionState.CANCELLED)
                        .filter(scheduled_start__gte=start, scheduled_start__lt=start + timedelta(days=self.days))
                        .select_related("patient", "course"))
        total = {s.course_id: int(s.course.protocol_snapshot.get("n_infusions", 0)) for s in sessions}
        confirmed = set(SessionPlan.objects.filter(session__in=sessions, confirmed=True)
                        .values_list("session_id", flat=True))
        chairs, closed = list(active_chairs(self.clinic)), closed_weekdays(self.clinic)
        shifts = nurse_shifts(self.clinic, self.first_on, self.days)
        out = []
        for d in range(self.days):
            day = self.first_on + timedelta(days=d)
            lanes = []
            for i, chair in enumerate(chairs, start=1):
                mine = [s for s in sessions if s.chair_id == chair.pk and s.scheduled_start.astimezone(self.tz).date() == day]
                blocks = [b for s in mine if (b := self._block(s, total, confirmed))]
                lanes.append({"chair": chair, "col": i, "blocks": blocks,
                              "free": [] if day.weekday() in closed else self._free(day, blocks)})
            on_shift = [{"nurse": n, "start": r["start"], "end": r["end"]}
                        for n, rows in shifts.items() for r in rows if r["day"] == d]
            out.append({"date": day, "closed": day.weekday() in closed, "lanes": lanes, "shifts": on_shift,
                        "end_row": HEAD_ROWS + self.rows + 1})
        return out
