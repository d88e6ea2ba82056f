"""Demo chairs and the booked infusions of the demo courses, on a plausible calendar."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from accounts.choices import Role
from accounts.demo import DemoContext, DemoPatient
from clinical.scheduling import suggest_schedule
from courses.services import spacing_of
from toolkit.errors import ServiceError

from . import services

SLOTS = (time(8, 0), time(10, 0), time(12, 0), time(14, 0), time(16, 0))
# Days before now of the first infusion, by stage.
FIRST_DAYS_AGO = {"mid_course": (2, 9), "finished": (21, 34), "follow_up": (40, 120)}


def build(ctx: DemoContext) -> None:
    admin = ctx.users[Role.CLINIC_ADMIN]
    ctx.chairs = [services.add_chair(clinic=ctx.clinic, name=f"Chair {n}", location_code=f"INF^CHAIR{n}", by=admin) for n in range(1, 5)]
    for weekday in range(5):  # the demo nurse works weekdays, so the calendar and the planner have shifts
        services.add_nurse_shift(clinic=ctx.clinic, nurse=ctx.users[Role.NURSE], weekday=weekday, starts=time(7, 30),
                                 ends=time(18, 0), by=admin)
    demo1 = ctx.mrn("DEMO-0001")
    _book_demo_0001(ctx, demo1)
    for dp in ctx.by_stage("mid_course", "finished", "follow_up"):
        if dp is not demo1:
            _book_course(ctx, dp)
    waiting = [dp for dp in ctx.by_stage("mid_course") if dp.course is not None and dp is not demo1] or [demo1]
    services.join_waiting_list(course=waiting[-1].course, note="would take an earlier morning slot",
                               by=ctx.users[Role.FRONT_DESK], now=ctx.now)


def _book_demo_0001(ctx: DemoContext, dp: DemoPatient) -> None:
    """Infusions every other day around now; the one 20 minutes ago is the session in progress."""
    t0 = (ctx.now - timedelta(minutes=20)).replace(second=0, microsecond=0)
    for d in (-4, -2, 0, 2, 4, 6):
        dp.sessions.append(_book(ctx, dp, ctx.chairs[0], t0 + timedelta(days=d)))


def _book(ctx: DemoContext, dp: DemoPatient, chair: object, starts_at: datetime) -> object:
    """Book from now on; the demo's past sessions are entered afterwards by the prescriber, as a clinic would."""
    if starts_at < services.now() - services.BOOKING_GRACE / 2:
        return services.back_enter_session(course=dp.course, chair=chair, starts_at=starts_at,
                                           reason="Demo history: entered from the paper schedule", by=ctx.users[Role.PRESCRIBER])
    return services.book_session(course=dp.course, chair=chair, starts_at=starts_at, by=ctx.users[Role.NURSE])


def _book_course(ctx: DemoContext, dp: DemoPatient) -> None:
    tz = ZoneInfo(ctx.clinic.time_zone)
    low, high = FIRST_DAYS_AGO[dp.stage]
    day = (ctx.now.astimezone(tz) - timedelta(days=ctx.rng.randint(low, high))).date()
    while day.weekday() not in (0, 2, 4):
        day -= timedelta(days=1)
    slot = ctx.rng.randrange(len(SLOTS))
    first = datetime.combine(day, SLOTS[slot], tz)
    for starts_at in [first, *suggest_schedule(first, spacing_of(dp.course))]:
        dp.sessions.append(_book_somewhere(ctx, dp, starts_at))


def _book_somewhere(ctx: DemoContext, dp: DemoPatient, starts_at: datetime) -> object:
    """Book on the first chair free at that time, trying later slots the same day if all are taken."""
    for shift in range(0, 10):
        when = starts_at + timedelta(hours=2 * shift)
        for chair in ctx.chairs:
            try:
                return _book(ctx, dp, chair, when)
            except ServiceError:
                continue
    raise RuntimeError(f"demo: no free chair for {dp.patient.mrn} on {starts_at:%Y-%m-%d}")
