"""Edge values the security sweep found answering 500: absurd years, ids past the database's integer range,
onsets before birth. Each now gets a 4xx with a message and writes nothing (issue 14, item 6)."""

import pytest

from accounts.choices import Role
from infusions.models import AdverseEvent, InfusionSession
from ketacare.testing import api_json, make_chair, make_course

pytestmark = pytest.mark.django_db
HUGE = 10**30  # past every database integer
BIG = 2**63  # one past PostgreSQL's bigint


@pytest.mark.parametrize("starts_at", ["0001-01-01T09:00:00Z", "9999-12-31T09:00:00Z", "1899-12-31T09:00:00Z"])
def test_booking_at_an_absurd_year_is_refused(world, starts_at):
    course, chair = make_course(world), make_chair(world)
    status, body = api_json(world.users[Role.FRONT_DESK], world.a, "/scheduling")(
        "post", "/bookings", {"course_id": course.pk, "chair_id": chair.pk, "starts_at": starts_at})
    assert 400 <= status < 500 and body["detail"]
    assert not InfusionSession.objects.filter(course=course).exists()


@pytest.mark.parametrize("value", [HUGE, BIG, -BIG - 1])
def test_ids_past_the_integer_range_are_not_found_in_paths_and_bodies(world, value):
    call = api_json(world.users[Role.FRONT_DESK], world.a, "/scheduling")
    assert call("get", f"/patients/{value}/availability")[0] in (404, 422)
    status, _ = call("post", "/bookings", {"course_id": value, "chair_id": value, "starts_at": "2030-01-01T09:00:00Z"})
    assert status in (404, 422)
    patients = api_json(world.users[Role.NURSE], world.a, "/patients")
    assert patients("get", f"/{value}")[0] in (404, 422)


def test_web_pages_answer_404_for_ids_past_the_integer_range(world, client_for):
    client = client_for(Role.NURSE)
    for url in (f"/patients/{HUGE}/", f"/patients/{BIG}/", f"/infusions/sessions/{BIG}/"):
        assert client.get(url).status_code == 404, url


def test_an_adverse_event_before_1900_or_before_birth_is_refused(world):
    from datetime import UTC, datetime, timedelta

    from infusions import services as infusions
    from ketacare.testing import make_session
    from toolkit.errors import ServiceError

    session = make_session(world, datetime.now(UTC) + timedelta(hours=1))
    base = {"description": "Dizzy", "severity": "mild", "serious": False, "relatedness": "possible",
            "action_taken": "none", "outcome": "resolved"}
    born = session.patient.date_of_birth
    for onset in (datetime(1800, 1, 1, tzinfo=UTC), datetime(born.year, born.month, born.day, tzinfo=UTC) - timedelta(days=1)):
        with pytest.raises(ServiceError):
            infusions.record_adverse_event(session=session, by=world.users[Role.NURSE], at=datetime.now(UTC),
                                           values={**base, "onset_at": onset})
    assert not AdverseEvent.objects.exists()
