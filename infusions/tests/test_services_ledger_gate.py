"""Draw before start and the amount given at the stop (issue 10, the inspector's loop; ADR 0015)."""

from datetime import timedelta
from decimal import Decimal

import pytest

from accounts.choices import Role
from audit.models import AuditEvent
from infusions import services
from infusions.choices import SessionState
from infusions.models import InfusionSession, SessionEvent
from ketacare.testing_ledger import draw_for
from toolkit.errors import ServiceError

from .helpers import booked, check_in, drawn, infusing, t0, verified, verify

pytestmark = pytest.mark.django_db
D = Decimal


def _nothing_started(session):
    fresh = InfusionSession.objects.get(pk=session.pk)
    assert fresh.state == SessionState.DOSE_VERIFIED and fresh.started_at is None
    assert not SessionEvent.objects.filter(session=session, action="start").exists()
    assert not AuditEvent.objects.filter(action__in=("session_start", "session_start_without_draw"),
                                         object_id=str(session.pk)).exists()


def test_a_session_cannot_start_with_nothing_drawn_for_it_and_nothing_is_written(world):
    start = t0()
    session = verified(world, start)
    with pytest.raises(ServiceError, match="No ketamine is drawn for this session; the verified dose is 35.00 mg") as caught:
        services.start(session=session, at=start + timedelta(minutes=10), by=world.users[Role.NURSE])
    assert "override_reason" in caught.value.field_errors
    _nothing_started(session)


def test_a_draw_for_another_session_does_not_count(world):
    start = t0()
    other = verified(world, start - timedelta(days=2))
    draw_for(other, by=world.users[Role.NURSE])
    session = check_in(world, booked(world, start, course=other.course, chair=other.chair), at=start)
    session = verify(world, session, at=start + timedelta(minutes=5))
    with pytest.raises(ServiceError, match="No ketamine is drawn"):
        services.start(session=session, at=start + timedelta(minutes=10), by=world.users[Role.NURSE])
    _nothing_started(session)


def test_a_session_cannot_start_when_the_draw_is_short_of_the_verified_dose(world):
    start = t0()
    session = verified(world, start)
    draw_for(session, mg=D("20.00"), by=world.users[Role.NURSE])
    with pytest.raises(ServiceError, match=r"20.00 mg is drawn .* \(short by 15.00 mg"):
        services.start(session=session, at=start + timedelta(minutes=10), by=world.users[Role.NURSE])
    _nothing_started(session)


def test_a_nurse_cannot_record_the_no_draw_exception(world):
    start = t0()
    session = verified(world, start)
    with pytest.raises(ServiceError, match="does not allow you to start an infusion without ketamine drawn"):
        services.start(session=session, override_reason="Drawn, not yet entered", at=start + timedelta(minutes=10),
                       by=world.users[Role.NURSE])
    _nothing_started(session)


def test_a_prescriber_may_start_without_a_draw_with_a_reason_and_it_is_audited(world):
    start = t0()
    session = verified(world, start)
    reason = "Ledger terminal down; vial 12 drawn by hand, entered after"
    session = services.start(session=session, override_reason=reason, at=start + timedelta(minutes=10),
                             by=world.users[Role.PRESCRIBER])
    assert session.state == SessionState.INFUSING
    exception = AuditEvent.objects.get(action="session_start_without_draw", object_id=str(session.pk))
    assert exception.detail["reason"] == reason and "No ketamine is drawn" in exception.detail["findings"][0]
    start_event = AuditEvent.objects.get(action="session_start", object_id=str(session.pk))
    assert start_event.detail["no_draw"] and start_event.detail["reason"] == reason


def test_a_session_starts_once_the_dose_is_drawn(world):
    session = infusing(world)
    assert session.state == SessionState.INFUSING


def test_a_failed_audit_of_the_exception_writes_nothing(world, monkeypatch):
    start = t0()
    session = verified(world, start)
    monkeypatch.setattr("infusions.services.ledger_gate.audit.record",
                        lambda **kw: (_ for _ in ()).throw(RuntimeError("audit down")))
    with pytest.raises(RuntimeError):
        services.start(session=session, override_reason="A reason", at=start + timedelta(minutes=10),
                       by=world.users[Role.PRESCRIBER])
    _nothing_started(session)


def _administration(session):
    return session.ledger_entries.get(kind="administration")  # the ledger, through its foreign key (no import)


def test_stopping_records_rate_times_infusing_time_with_pauses_excluded_and_the_ledger_takes_it_at_the_stop(world):
    start = t0()
    session = infusing(world, start)  # started at +10 min: 35.0 mg in 100 mL at 150 mL/h
    nurse = world.users[Role.NURSE]
    services.pause(session=session, reason="Nausea", at=start + timedelta(minutes=20), by=nurse)
    services.resume(session=session, at=start + timedelta(minutes=30), by=nurse)
    stopped_at = start + timedelta(minutes=40)
    session = services.stop_infusion(session=session, reason="Bag finished early per the pump.", at=stopped_at, by=nurse)
    fresh = InfusionSession.objects.get(pk=session.pk)
    # 30 min start to stop, less 10 min paused = 20 min x 150 mL/h = 50 mL of 100 mL: half of 35.0 mg.
    assert (fresh.given_mg, fresh.given_volume_ml, fresh.given_source) == (D("17.50"), D("50.00"), "rate_time")
    assert fresh.total_mg == D("35.00")
    entry = _administration(session)
    assert entry.quantity_mg == D("17.50") and entry.at == stopped_at and entry.actor == nurse
    given = AuditEvent.objects.get(action="session_given", object_id=str(session.pk))
    assert given.detail["planned_mg"] == "35.00" and given.detail["given_mg"] == "17.50"


def test_stopping_while_paused_counts_the_pause_to_the_stop(world):
    start = t0()
    session = infusing(world, start)
    nurse = world.users[Role.NURSE]
    services.pause(session=session, reason="BP high", at=start + timedelta(minutes=30), by=nurse)
    session = services.stop_early(session=session, reason="BP stayed high", at=start + timedelta(minutes=45), by=nurse)
    assert InfusionSession.objects.get(pk=session.pk).given_mg == D("17.50")  # 20 min infusing of 40


def test_stopping_with_the_pump_volume_the_nurse_confirms(world):
    start = t0()
    session = infusing(world, start)
    session = services.stop_infusion(session=session, pump_volume_ml="62.5", reason="Patient asked to stop; mild nausea.",
                                     at=start + timedelta(minutes=30), by=world.users[Role.NURSE])
    fresh = InfusionSession.objects.get(pk=session.pk)
    assert (fresh.given_mg, fresh.given_source) == (D("21.88"), "pump_volume")  # 35.0 mg x 62.5 / 100
    assert _administration(session).quantity_mg == D("21.88")


@pytest.mark.parametrize(("pump", "words"), [("100.5", "more than the bag"), ("lots", "must be a number"),
                                             ("-2", "0 mL or more")])
def test_a_pump_volume_the_bag_cannot_have_given_is_refused_and_nothing_is_written(world, pump, words):
    start = t0()
    session = infusing(world, start)
    with pytest.raises(ServiceError, match=words) as caught:
        services.stop_infusion(session=session, pump_volume_ml=pump, at=start + timedelta(minutes=30),
                               by=world.users[Role.NURSE])
    assert "pump_volume_ml" in caught.value.field_errors
    fresh = InfusionSession.objects.get(pk=session.pk)
    assert fresh.state == SessionState.INFUSING and fresh.given_mg is None and fresh.infusion_ended_at is None
    assert not session.ledger_entries.filter(kind="administration").exists()


def test_a_session_started_by_exception_still_stops_and_records_what_was_given(world):
    start = t0()
    session = verified(world, start)
    session = services.start(session=session, override_reason="Drawn on paper during the outage",
                             at=start + timedelta(minutes=10), by=world.users[Role.PRESCRIBER])
    session = services.stop_infusion(session=session, at=start + timedelta(minutes=50), by=world.users[Role.NURSE])
    fresh = InfusionSession.objects.get(pk=session.pk)
    assert fresh.state == SessionState.RECOVERING and fresh.given_mg == D("35.00")
    assert not session.ledger_entries.filter(kind="administration").exists()
    assert "nothing was drawn" in AuditEvent.objects.get(action="session_given", object_id=str(session.pk)).detail["ledger"]


def test_the_database_refuses_a_given_amount_above_the_planned_dose(world):
    from django.db import IntegrityError, transaction

    session = drawn(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        InfusionSession.objects.filter(pk=session.pk).update(given_mg=D("35.01"))
