"""The scheduling pages and API: chairs, booking from the course page, the day's schedule, other clinics' 404."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from audit.models import AuditEvent
from infusions.models import InfusionSession
from ketacare.testing import (
    api_json,  # noqa: E402
    make_chair,
    make_course,
    make_session,
    next_weekday_at,
)
from scheduling.models import Chair

pytestmark = pytest.mark.django_db


def api(user, clinic):
    return api_json(user, clinic, "/scheduling")


def _local_input(at):
    return timezone.localtime(at).strftime("%Y-%m-%dT%H:%M")


def test_the_course_page_offers_booking_to_schedulers_only(world, client_for):
    course = make_course(world)
    make_chair(world)
    book_url = reverse("scheduling:book", kwargs={"course_id": course.pk})
    assert book_url in client_for(Role.FRONT_DESK).get(reverse("courses:detail", args=[course.pk])).content.decode()
    assert book_url not in client_for(Role.THERAPIST).get(reverse("courses:detail", args=[course.pk])).content.decode()


def test_booking_from_the_course_page_lands_on_the_course_with_the_infusion_listed(world, client_for):
    course, chair = make_course(world), make_chair(world)
    start = next_weekday_at(timezone.now())
    client = client_for(Role.NURSE)
    response = client.post(reverse("scheduling:book", kwargs={"course_id": course.pk}),
                           {"chair": chair.pk, "starts_at": _local_input(start)}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("courses:detail", args=[course.pk])
    html = response.content.decode()
    assert "Infusion 1 booked." in html and "Chair 1" in html and "1 of 6" in html
    assert InfusionSession.objects.get(course=course).scheduled_start == start


def test_a_refused_booking_shows_the_reason_and_writes_nothing(world, client_for):
    course, chair = make_course(world), make_chair(world)
    start = next_weekday_at(timezone.now())
    make_session(world, start, course=course, chair=chair)
    response = client_for(Role.NURSE).post(reverse("scheduling:book", kwargs={"course_id": course.pk}),
                                           {"chair": chair.pk, "starts_at": _local_input(start + timedelta(hours=20))})
    assert response.status_code == 400
    assert "at least 44 h" in response.content.decode()
    assert InfusionSession.objects.filter(course=course).count() == 1


def test_the_schedule_shows_the_day_by_chair_and_audits_the_view(world, client_for):
    start = next_weekday_at(timezone.now())
    session = make_session(world, start)
    day = timezone.localtime(start).date().isoformat()
    html = client_for(Role.FRONT_DESK).get(reverse("scheduling:schedule"), {"day": day}).content.decode()
    assert session.patient.full_name in html and "Chair 1" in html
    assert AuditEvent.objects.filter(action="schedule_view", detail__day=day).exists()
    assert client_for(Role.FRONT_DESK).get(reverse("scheduling:schedule"), {"day": "9999-01-01"}).status_code == 400


def test_a_clinic_admin_adds_a_chair_and_a_duplicate_is_refused(world, client_for):
    client = client_for(Role.CLINIC_ADMIN)
    assert client.post(reverse("scheduling:chairs"), {"name": "Window", "location_code": "INF^W"}).status_code == 302
    response = client.post(reverse("scheduling:chairs"), {"name": "Window"})
    assert response.status_code == 400 and "exists" in response.content.decode()
    assert Chair.objects.filter(clinic=world.a, name="Window").count() == 1


def test_another_clinic_cannot_book_a_course_or_see_its_booking_page(world, client_for):
    course = make_course(world, world.b)
    chair = make_chair(world)
    client = client_for(Role.NURSE)
    assert client.get(reverse("scheduling:book", kwargs={"course_id": course.pk})).status_code == 404
    assert client.post(reverse("scheduling:book", kwargs={"course_id": course.pk}),
                       {"chair": chair.pk, "starts_at": _local_input(next_weekday_at(timezone.now()))}).status_code == 404
    assert not InfusionSession.objects.exists()


def test_the_api_lists_and_adds_chairs_and_books(world):
    admin, nurse = api(world.users[Role.CLINIC_ADMIN], world.a), api(world.users[Role.NURSE], world.a)
    status, chair = admin("post", "/chairs", {"name": "Chair 7", "location_code": "INF^7"})
    assert status == 201 and chair["location_code"] == "INF^7"
    assert [c["name"] for c in nurse("get", "/chairs")[1]] == ["Chair 7"]
    assert nurse("post", "/chairs", {"name": "Chair 8"})[0] == 403
    course = make_course(world)
    start = next_weekday_at(timezone.now())
    status, body = nurse("post", "/bookings", {"course_id": course.pk, "chair_id": chair["id"], "starts_at": start.isoformat()})
    assert status == 201 and body["number"] == 1 and body["state"] == "scheduled"
    status, body = nurse("post", "/bookings", {"course_id": course.pk, "chair_id": chair["id"],
                                               "starts_at": (start + timedelta(hours=1)).isoformat()})
    assert status == 400 and "44 h" in json.dumps(body)
    assert InfusionSession.objects.count() == 1


def test_the_api_refuses_another_clinics_course_or_chair(world):
    nurse = api(world.users[Role.NURSE], world.a)
    start = next_weekday_at(timezone.now()).isoformat()
    mine, theirs = make_course(world), make_course(world, world.b)
    assert nurse("post", "/bookings", {"course_id": theirs.pk, "chair_id": make_chair(world).pk, "starts_at": start})[0] == 404
    assert nurse("post", "/bookings", {"course_id": mine.pk, "chair_id": make_chair(world, world.b).pk, "starts_at": start})[0] == 404
    assert not InfusionSession.objects.exists()
