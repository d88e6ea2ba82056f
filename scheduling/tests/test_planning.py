"""Plan the course from the database: a proposal fits shifts, windows and other bookings; accepting books it."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from accounts.choices import Role
from audit.models import AuditEvent
from infusions.models import InfusionSession
from ketacare.testing import make_chair, make_course
from scheduling import services
from scheduling.kpis import calendar_kpis
from scheduling.models import SessionPlan
from scheduling.proposals import propose_course
from scheduling.replan import replan_clinic
from toolkit.errors import ServiceError

NY = ZoneInfo("America/New_York")
NOW = datetime(2027, 1, 4, 7, 0, tzinfo=NY)  # a Monday morning


@pytest.fixture
def clinic(world):
    admin = world.users[Role.CLINIC_ADMIN]
    for weekday in range(5):
        services.add_nurse_shift(clinic=world.a, nurse=world.users[Role.NURSE], weekday=weekday,
                                 starts=time(8), ends=time(18), by=admin)
    make_chair(world, name="Chair 1")
    return world


def test_a_proposal_books_every_remaining_infusion_inside_shifts(clinic):
    course = make_course(clinic)
    proposal = propose_course(course, now=NOW)
    assert len(proposal.bookings) == 6
    starts = [b.starts_at.astimezone(NY) for b in proposal.bookings]
    assert starts[0] == datetime(2027, 1, 4, 8, 15, tzinfo=NY)  # 08:00 opening plus the 15-minute set-up
    assert all(b - a >= timedelta(hours=44) for a, b in zip(starts, starts[1:], strict=False))
    assert all(s.weekday() < 5 for s in starts)
    sessions = services.accept_course_plan(course=course, bookings=list(proposal.bookings),
                                           by=clinic.users[Role.FRONT_DESK], now=NOW)
    assert [s.scheduled_start for s in sessions] == [b.starts_at for b in proposal.bookings]
    assert SessionPlan.objects.filter(session__in=sessions, nurse=clinic.users[Role.NURSE]).count() == 6
    assert AuditEvent.objects.filter(action="course_plan_accept").count() == 1


def test_the_next_proposal_starts_on_a_later_day(clinic):
    course = make_course(clinic)
    first = propose_course(course, now=NOW)
    later = propose_course(course, now=NOW, after=first.bookings[0].starts_at)
    assert later.bookings[0].starts_at.date() > first.bookings[0].starts_at.date()


def test_patient_windows_and_other_bookings_are_respected(clinic):
    course = make_course(clinic)
    services.set_patient_availability(patient=course.patient, by=clinic.users[Role.FRONT_DESK],
                                      windows=[(w, time(13), time(17)) for w in (0, 2, 4)])
    proposal = propose_course(course, now=NOW)
    for b in proposal.bookings:
        local = b.starts_at.astimezone(NY)
        assert local.weekday() in (0, 2, 4) and local.time() >= time(13, 15)
    other = make_course(clinic, mrn="T-0002")
    services.accept_course_plan(course=course, bookings=list(proposal.bookings), by=clinic.users[Role.NURSE], now=NOW)
    second = propose_course(other, now=NOW)
    taken = {(b.starts_at) for b in proposal.bookings}
    assert len(second.bookings) == 6 and not taken & {b.starts_at for b in second.bookings}


def test_a_stale_proposal_is_refused_and_nothing_is_booked(clinic):
    course, other = make_course(clinic), make_course(clinic, mrn="T-0002")
    proposal = propose_course(course, now=NOW)
    services.accept_course_plan(course=other, bookings=list(propose_course(other, now=NOW).bookings),
                                by=clinic.users[Role.NURSE], now=NOW)
    with pytest.raises(ServiceError, match="no longer fits"):
        services.accept_course_plan(course=course, bookings=list(proposal.bookings), by=clinic.users[Role.NURSE],
                                    now=NOW)
    assert not InfusionSession.objects.filter(course=course).exists()


def test_only_the_clinic_admin_records_shifts(clinic):
    with pytest.raises(ServiceError, match="does not allow"):
        services.add_nurse_shift(clinic=clinic.a, nurse=clinic.users[Role.NURSE], weekday=5, starts=time(8),
                                 ends=time(12), by=clinic.users[Role.FRONT_DESK])


def test_overlapping_shifts_and_reversed_times_are_refused(clinic):
    admin, nurse = clinic.users[Role.CLINIC_ADMIN], clinic.users[Role.NURSE]
    with pytest.raises(ServiceError, match="overlaps"):
        services.add_nurse_shift(clinic=clinic.a, nurse=nurse, weekday=0, starts=time(17), ends=time(19), by=admin)
    with pytest.raises(ServiceError, match="after the start"):
        services.add_nurse_shift(clinic=clinic.a, nurse=nurse, weekday=5, starts=time(12), ends=time(8), by=admin)


def test_a_day_off_exception_moves_the_plan(clinic):
    admin, nurse = clinic.users[Role.CLINIC_ADMIN], clinic.users[Role.NURSE]
    services.set_shift_exception(clinic=clinic.a, nurse=nurse, on=NOW.date(), starts=None, ends=None,
                                 reason="training", by=admin)
    proposal = propose_course(make_course(clinic), now=NOW)
    assert proposal.bookings[0].starts_at.astimezone(NY).date() == NOW.date() + timedelta(days=1)


def test_replan_moves_unconfirmed_bookings_earlier_and_keeps_confirmed_ones(clinic):
    nurse = clinic.users[Role.NURSE]
    late = make_course(clinic)
    proposal = propose_course(late, now=NOW + timedelta(days=7))  # planned a week late
    sessions = services.accept_course_plan(course=late, bookings=list(proposal.bookings), by=nurse, now=NOW)
    confirmed = make_course(clinic, mrn="T-0002")
    kept = services.accept_course_plan(course=confirmed, bookings=list(
        propose_course(confirmed, now=NOW + timedelta(days=7)).bookings), by=nurse, now=NOW)
    for s in kept:
        services.confirm_session(session=s, by=nurse, now=NOW)
    before = calendar_kpis(clinic.a, NOW.date(), 28)
    result = replan_clinic(clinic.a, now=NOW - timedelta(days=1), days=28, seconds=2)
    services.apply_replan(clinic=clinic.a, moves=list(result.moves), by=clinic.users[Role.CLINIC_ADMIN], now=NOW)
    moved = InfusionSession.objects.filter(pk__in=[s.pk for s in sessions]).order_by("scheduled_start")
    assert moved[0].scheduled_start < sessions[0].scheduled_start
    assert [s.scheduled_start for s in InfusionSession.objects.filter(pk__in=[s.pk for s in kept])
            .order_by("scheduled_start")] == [s.scheduled_start for s in kept]
    assert calendar_kpis(clinic.a, NOW.date(), 28)["mean_wait_days"] < before["mean_wait_days"]


def test_accepting_a_plan_rolls_back_whole_when_the_audit_write_fails(clinic, monkeypatch):
    from audit import services as audit

    course = make_course(clinic)
    proposal = propose_course(course, now=NOW)
    real = audit.record

    def failing(**kw):
        if kw["action"] == "course_plan_accept":
            raise RuntimeError("audit down")
        return real(**kw)

    monkeypatch.setattr(audit, "record", failing)
    with pytest.raises(RuntimeError):
        services.accept_course_plan(course=course, bookings=list(proposal.bookings), by=clinic.users[Role.NURSE],
                                    now=NOW)
    assert not InfusionSession.objects.filter(course=course).exists()
    assert not SessionPlan.objects.exists()


def test_kpis_count_overtime_and_sessions_outside_the_patients_window(clinic):
    course = make_course(clinic)
    nurse = clinic.users[Role.NURSE]
    proposal = propose_course(course, now=NOW)
    services.accept_course_plan(course=course, bookings=list(proposal.bookings), by=nurse, now=NOW)
    first = InfusionSession.objects.filter(course=course).order_by("scheduled_start").first()
    assert first.scheduled_start.astimezone(NY).time() == time(8, 15)
    before = calendar_kpis(clinic.a, NOW.date(), 1)
    assert before["nurse_overtime_min"] == 0 and before["outside_windows"] == 0 and before["sessions"] == 1
    # the nurse's Monday now starts at 09:00: the 08:00 set-up is an hour of overtime
    services.set_shift_exception(clinic=clinic.a, nurse=nurse, on=NOW.date(), starts=time(9), ends=time(18),
                                 by=clinic.users[Role.CLINIC_ADMIN])
    services.set_patient_availability(patient=course.patient, windows=[(0, time(12), time(17))],
                                      by=clinic.users[Role.FRONT_DESK])
    after = calendar_kpis(clinic.a, NOW.date(), 1)
    assert after["nurse_overtime_min"] == 60 and after["outside_windows"] == 1
    assert after["mean_wait_days"] == (NOW.date() - course.ordered_at.astimezone(NY).date()).days
