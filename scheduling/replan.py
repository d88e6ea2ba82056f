"""Re-plan unconfirmed future bookings (`ketacare schedule optimise`, the clinic admin's button)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from accounts.models import Clinic
from infusions.choices import SessionState
from infusions.models import InfusionSession
from toolkit.errors import ServiceError

from . import services
from .kpis import calendar_kpis
from .models import SessionPlan
from .planner import plan_instance
from .planning import InstanceBuilder, PlannedBooking


@dataclass(frozen=True)
class Replan:
    moves: tuple[PlannedBooking, ...]
    kept: tuple[int, ...]  # movable sessions the plan could not place again, left where they are
    status: str


def _movable(clinic: Any, now: datetime, until: datetime) -> dict[Any, list[InfusionSession]]:
    """Per course, its unconfirmed future bookings after its last fixed (past, started or confirmed) one."""
    confirmed = set(SessionPlan.objects.filter(clinic=clinic, confirmed=True).values_list("session_id", flat=True))
    by_course: dict[Any, list[InfusionSession]] = defaultdict(list)
    rows = (InfusionSession.objects.in_clinic(clinic).exclude(state=SessionState.CANCELLED)
            .select_related("course").order_by("scheduled_start"))
    for s in rows.filter(course__in=rows.filter(scheduled_start__gte=now).values("course")):
        by_course[s.course].append(s)
    out = {}
    for course, sessions in by_course.items():
        fixed = [s for s in sessions if s.scheduled_start < now or s.state != SessionState.SCHEDULED
                 or s.pk in confirmed or s.scheduled_start >= until]
        last_fixed = max((s.scheduled_start for s in fixed if s.scheduled_start < until), default=None)
        movable = [s for s in sessions if s not in fixed and (last_fixed is None or s.scheduled_start > last_fixed)]
        if movable:
            out[course] = movable
    return out


def replan_clinic(clinic: Any, *, now: datetime, days: int, seconds: float) -> Replan:
    tz = ZoneInfo(clinic.time_zone)
    tomorrow = datetime.combine(now.astimezone(tz).date() + timedelta(days=1), time.min, tz)
    movable = _movable(clinic, tomorrow, tomorrow + timedelta(days=days))
    if not movable:
        return Replan((), (), "nothing to re-plan")
    keep: set[int] = set()
    for _ in range(2):  # a course the plan leaves out stays where it is, and the others are planned around it
        builder = InstanceBuilder(clinic, tomorrow.date(), days + 21)
        leave_out = {s.pk for sessions in movable.values() for s in sessions} - keep
        builder.hold_existing(leave_out=leave_out)
        ids = {}
        for course, sessions in movable.items():
            if sessions[0].pk in keep:
                continue
            before = [s for s in InfusionSession.objects.filter(course=course).exclude(state=SessionState.CANCELLED)
                      .order_by("scheduled_start") if s.pk not in leave_out]
            gap = timedelta(hours=int(course.protocol_snapshot["min_hours_between"]))
            earliest = builder.planner_start(before[-1].scheduled_start + gap) if before else tomorrow
            release = max(0, (course.ordered_at.astimezone(tz).date() - tomorrow.date()).days)
            ids[builder.add_course(course, infusions=len(sessions), earliest=max(earliest, tomorrow),
                                   span_from=before[0].scheduled_start if before else None,
                                   release_day=release)] = sessions
        plan = plan_instance(builder.instance(), seconds=seconds, workers=2)
        left = [ids[r] for r in plan.unscheduled if r in ids]
        if not left:
            break
        keep |= {s.pk for sessions in left for s in sessions}
    moves = []
    for request_id, sessions in ids.items():
        for session, b in zip(sessions, builder.bookings(list(plan.sessions), request_id), strict=False):
            if b.chair.pk != session.chair_id or b.starts_at != session.scheduled_start:
                moves.append(PlannedBooking(b.n, b.chair, b.nurse, b.starts_at, session.pk))
    return Replan(tuple(moves), tuple(sorted(keep)), plan.status)


def _kpi_line(label: str, k: dict[str, Any]) -> str:
    wait = "-" if k["mean_wait_days"] is None else f"{k['mean_wait_days']:.2f}"
    return (f"  {label:<7} mean wait to first infusion {wait} d · chair utilisation {k['chair_utilisation']:.0%}"
            f" · nurse overtime {k['nurse_overtime_min']} min · outside patient windows {k['outside_windows']}")


def optimise_clinics(*, days: int, seconds: float, clinic_slug: str | None = None, by: Any = "schedule optimise"):
    """Re-plan each clinic's unconfirmed bookings of the next `days` days; yield lines with KPIs before and after."""
    clinics = Clinic.objects.filter(slug=clinic_slug) if clinic_slug else Clinic.objects.all()
    if clinic_slug and not clinics.exists():
        raise ServiceError(f"No clinic {clinic_slug!r}.")
    now = datetime.now(UTC)
    for clinic in clinics:
        tz = ZoneInfo(clinic.time_zone)
        first_on = now.astimezone(tz).date() + timedelta(days=1)
        before = calendar_kpis(clinic, first_on, days)
        try:
            result = replan_clinic(clinic, now=now, days=days, seconds=seconds)
        except ServiceError as exc:
            yield f"{clinic.slug}: not re-planned: {exc.message}"
            continue
        moved = services.apply_replan(clinic=clinic, moves=list(result.moves), by=by, now=now)
        yield f"{clinic.slug}: {result.status}; {moved} booking(s) re-planned, {len(result.kept)} kept in place"
        yield _kpi_line("before", before)
        yield _kpi_line("after", calendar_kpis(clinic, first_on, days))
