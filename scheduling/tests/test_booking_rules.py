"""A booking is for now on and after the order; a past session is a prescriber's audited back-entry; absurd dates are refused."""

import json
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from accounts import services as accounts
from accounts.choices import Role
from audit.models import AuditEvent
from courses import services as courses
from infusions.models import InfusionSession
from ketacare.testing import make_chair, make_course, make_eligible_patient, make_protocol, next_weekday_at
from scheduling import queries, services
from toolkit.errors import ServiceError

pytestmark = pytest.mark.django_db
ABSURD = [datetime(9999, 12, 31, 23, 0, tzinfo=timezone(timedelta(hours=-5))),
          datetime(1, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=5))),
          datetime(1899, 6, 1, 9, 0, tzinfo=UTC)]


def _now():
    return datetime.now(UTC).replace(second=0, microsecond=0)


def _fresh_course(world):
    """A course ordered just now (make_course orders a year back)."""
    patient = make_eligible_patient(world, mrn="NEW-1")
    return courses.order_course(patient=patient, protocol=make_protocol(world), by=world.prescriber)


def test_a_booking_in_the_past_is_refused_and_writes_nothing(world):
    course, chair = make_course(world), make_chair(world)
    with pytest.raises(ServiceError, match="in the past.*back-entry"):
        services.book_session(course=course, chair=chair, starts_at=_now() - timedelta(days=1), by=world.nurse)
    assert not InfusionSession.objects.exists()


def test_a_walk_in_booked_a_few_minutes_after_its_start_is_still_a_booking(world):
    start = _now() - services.BOOKING_GRACE + timedelta(minutes=2)
    session = services.book_session(course=make_course(world), chair=make_chair(world), starts_at=start, by=world.nurse)
    assert session.scheduled_start == start


def test_a_booking_before_the_course_was_ordered_is_refused_even_as_a_back_entry(world):
    course, chair = _fresh_course(world), make_chair(world)
    with pytest.raises(ServiceError, match="cannot start before its order"):
        services.back_enter_session(course=course, chair=chair, starts_at=_now() - timedelta(hours=3),
                                    reason="Paper record from the outage", by=world.prescriber)
    assert not InfusionSession.objects.exists()


@pytest.mark.parametrize("starts_at", ABSURD, ids=["year-9999", "year-0001", "year-1899"])
def test_absurd_dates_are_a_clear_refusal_not_a_crash(world, starts_at):
    course, chair = make_course(world), make_chair(world)
    with pytest.raises(ServiceError, match="check the year|before its order"):
        services.book_session(course=course, chair=chair, starts_at=starts_at, by=world.nurse)
    with pytest.raises(ServiceError):
        services.back_enter_session(course=course, chair=chair, starts_at=starts_at,
                                    reason="Paper record from the outage", by=world.prescriber)
    assert not InfusionSession.objects.exists()


def test_a_back_entry_is_a_prescribers_audited_action_with_a_reason(world):
    course, chair = make_course(world), make_chair(world)
    start = _now() - timedelta(days=2)
    with pytest.raises(ServiceError, match="role"):
        services.back_enter_session(course=course, chair=chair, starts_at=start, reason="Paper record from the outage",
                                    by=world.nurse)
    with pytest.raises(ServiceError, match="at least 10 characters"):
        services.back_enter_session(course=course, chair=chair, starts_at=start, reason="x", by=world.prescriber)
    with pytest.raises(ServiceError, match="already happened"):
        services.back_enter_session(course=course, chair=chair, starts_at=_now() + timedelta(days=1),
                                    reason="Paper record from the outage", by=world.prescriber)
    assert not InfusionSession.objects.exists()
    session = services.back_enter_session(course=course, chair=chair, starts_at=start,
                                          reason="Paper record from the outage", by=world.prescriber)
    event = AuditEvent.objects.get(action="session_back_entry", object_id=str(session.pk))
    assert event.detail["reason"] == "Paper record from the outage" and session.state == "scheduled"


def test_a_back_entry_keeps_the_spacing_and_chair_rules(world):
    course, chair = make_course(world), make_chair(world)
    start = _now() - timedelta(days=3)
    services.back_enter_session(course=course, chair=chair, starts_at=start, reason="Paper record from the outage",
                                by=world.prescriber)
    with pytest.raises(ServiceError, match="44 h apart"):
        services.back_enter_session(course=course, chair=chair, starts_at=start + timedelta(hours=20),
                                    reason="Paper record from the outage", by=world.prescriber)


def test_suggested_dates_are_never_in_the_past(world):
    course, chair = make_course(world), make_chair(world)
    first = services.back_enter_session(course=course, chair=chair, starts_at=_now() - timedelta(days=6),
                                        reason="Paper record from the outage", by=world.prescriber)
    now = datetime.now(UTC)
    found = queries.suggestions(course, [first], now=now)
    assert found and all(s > now for s in found)
    assert queries.suggestions(course, [first], now=now + timedelta(days=60)) == []


def _api(user, clinic):
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Bearer {accounts.issue_token(user=user, clinic=clinic, name='t', by='test')}")
    return lambda path, body: client.post(f"/api/scheduling{path}", data=json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("text", ["9999-12-31T23:00:00-05:00", "0001-01-01T00:30:00+05:00", "10000-01-01T00:00:00Z",
                                  "2026-02-30T09:00:00Z"])
def test_the_api_answers_absurd_dates_with_400_or_422(world, text):
    course, chair = make_course(world), make_chair(world)
    response = _api(world.nurse, world.a)("/bookings", {"course_id": course.pk, "chair_id": chair.pk, "starts_at": text})
    assert response.status_code in (400, 422)
    assert response.json()["detail"]
    assert not InfusionSession.objects.exists()


def test_the_api_refuses_a_past_booking_and_takes_a_prescribers_back_entry(world):
    course, chair = make_course(world), make_chair(world)
    start = (_now() - timedelta(days=1)).isoformat()
    body = {"course_id": course.pk, "chair_id": chair.pk, "starts_at": start}
    response = _api(world.nurse, world.a)("/bookings", body)
    assert response.status_code == 400 and "back-entry" in response.json()["detail"]
    assert _api(world.nurse, world.a)("/back-entries", {**body, "reason": "Paper record from the outage"}).status_code == 403
    response = _api(world.prescriber, world.a)("/back-entries", {**body, "reason": "Paper record from the outage"})
    assert response.status_code == 201 and response.json()["state"] == "scheduled"


@pytest.mark.parametrize("text", ["9999-12-31T23:00", "0001-01-01T00:30", "1899-06-01T09:00"])
def test_the_booking_page_shows_absurd_dates_as_a_form_error(world, client_for, text):
    course, chair = make_course(world), make_chair(world)
    response = client_for(Role.NURSE).post(reverse("scheduling:book", kwargs={"course_id": course.pk}),
                                           {"chair": chair.pk, "starts_at": text})
    assert response.status_code == 400
    assert 'class="errors"' in response.content.decode() or 'class="error"' in response.content.decode()
    assert not InfusionSession.objects.exists()


def test_the_back_entry_page_records_a_past_session_for_a_prescriber_only(world, client_for):
    course, chair = make_course(world), make_chair(world)
    url = reverse("scheduling:back_entry", kwargs={"course_id": course.pk})
    local = (_now() - timedelta(days=1)).astimezone(ZoneInfo(world.a.time_zone)).strftime("%Y-%m-%dT%H:%M")
    form = {"chair": chair.pk, "starts_at": local, "reason": "Paper record from the outage"}
    assert client_for(Role.NURSE).post(url, form).status_code == 403
    response = client_for(Role.PRESCRIBER).post(url, {**form, "reason": ""})
    assert response.status_code == 400 and not InfusionSession.objects.exists()
    assert client_for(Role.PRESCRIBER).post(url, form).status_code == 302
    assert InfusionSession.objects.get(course=course).notes == ""
    assert next_weekday_at(datetime.now(UTC)) > InfusionSession.objects.get(course=course).scheduled_start
