"""The calendar pages: week grid with KPIs, plan the course, book a free slot, cancel and offer to the waiting list."""

from datetime import time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accounts.choices import Role
from infusions.models import InfusionSession
from ketacare.testing import make_chair, make_course
from scheduling import services
from scheduling.models import WaitingListEntry

NY = ZoneInfo("America/New_York")


@pytest.fixture
def clinic(world):
    for weekday in range(7):
        services.add_nurse_shift(clinic=world.a, nurse=world.users[Role.NURSE], weekday=weekday, starts=time(8),
                                 ends=time(18), by=world.users[Role.CLINIC_ADMIN])
    make_chair(world, name="Chair 1")
    return world


def test_plan_the_course_then_see_it_on_the_week_grid(clinic, client_for):
    course = make_course(clinic)
    desk = client_for(Role.FRONT_DESK)
    page = desk.get(f"/scheduling/courses/{course.pk}/plan/")
    assert page.status_code == 200 and page.content.decode().count('name="start"') == 6
    rows = page.context["rows"]
    post = desk.post(f"/scheduling/courses/{course.pk}/plan/", {
        "chair": [r["b"].chair.pk for r in rows], "nurse": [r["b"].nurse.pk for r in rows],
        "start": [r["local"].strftime("%Y-%m-%dT%H:%M") for r in rows]})
    assert post.status_code == 302
    assert InfusionSession.objects.filter(course=course).count() == 6
    week = desk.get(post["Location"])
    html = week.content.decode()
    assert week.status_code == 200 and "cal-block scheduled" in html and f"{course.patient.full_name} · 1/6" in html
    assert week.context["kpis"]["sessions"] >= 1


def test_the_next_proposal_is_later(clinic, client_for):
    course = make_course(clinic)
    desk = client_for(Role.FRONT_DESK)
    first = desk.get(f"/scheduling/courses/{course.pk}/plan/").context["rows"][0]["local"]
    later = desk.get(f"/scheduling/courses/{course.pk}/plan/?after={first:%Y-%m-%dT%H:%M}").context["rows"][0]["local"]
    assert later.date() > first.date()


def test_a_garbled_proposal_books_nothing(clinic, client_for):
    course = make_course(clinic)
    response = client_for(Role.FRONT_DESK).post(f"/scheduling/courses/{course.pk}/plan/",
                                                {"chair": ["x"], "nurse": ["1"], "start": ["soon"]})
    assert response.status_code == 200 and not InfusionSession.objects.filter(course=course).exists()


def test_cancelling_offers_the_slot_to_the_waiting_list(clinic, client_for):
    desk = client_for(Role.FRONT_DESK)
    booked, waiting = make_course(clinic), make_course(clinic, mrn="T-0002")
    starts_at = (timezone.now() + timedelta(days=3)).astimezone(NY).replace(hour=10, minute=0, second=0, microsecond=0)
    chair = clinic.a.chairs.first()
    session = services.book_session(course=booked, chair=chair, starts_at=starts_at, by=clinic.users[Role.NURSE])
    services.join_waiting_list(course=waiting, by=clinic.users[Role.FRONT_DESK])
    response = desk.post(f"/scheduling/bookings/{session.pk}/", {"reason": "patient unwell"})
    assert response.status_code == 302 and "/scheduling/slot/" in response["Location"]
    offer = desk.get(response["Location"])
    assert [c.pk for c in offer.context["waiting"]] == [waiting.pk]
    booked_now = desk.post("/scheduling/slot/", {"chair": chair.pk, "start": starts_at.strftime("%Y-%m-%dT%H:%M"),
                                                 "course": waiting.pk})
    assert booked_now.status_code == 302
    assert InfusionSession.objects.get(course=waiting).scheduled_start == starts_at
    assert not WaitingListEntry.objects.filter(course=waiting, removed_at__isnull=True).exists()


def test_a_waiting_patient_outside_the_slots_window_is_not_offered_it(clinic, client_for):
    waiting = make_course(clinic)
    services.set_patient_availability(patient=waiting.patient, windows=[(0, time(13), time(17))],
                                      by=clinic.users[Role.FRONT_DESK])
    services.join_waiting_list(course=waiting, by=clinic.users[Role.FRONT_DESK])
    monday = timezone.now().astimezone(NY).date() + timedelta(days=7 - timezone.now().astimezone(NY).weekday())
    chair = clinic.a.chairs.first()
    morning = client_for(Role.FRONT_DESK).get("/scheduling/slot/", {"chair": chair.pk, "start": f"{monday}T09:00"})
    afternoon = client_for(Role.FRONT_DESK).get("/scheduling/slot/", {"chair": chair.pk, "start": f"{monday}T13:00"})
    assert morning.context["waiting"] == [] and [c.pk for c in afternoon.context["waiting"]] == [waiting.pk]


def test_the_clinic_admin_records_a_shift_and_a_bad_one_is_refused(clinic, client_for):
    admin = client_for(Role.CLINIC_ADMIN)
    nurse = clinic.users[Role.NURSE]
    bad = admin.post("/scheduling/shifts/", {"kind": "shift", "shift-nurse": nurse.pk, "shift-weekday": 0,
                                             "shift-starts": "12:00", "shift-ends": "13:00"})
    assert bad.status_code == 400 and "overlaps" in bad.content.decode()
    assert client_for(Role.FRONT_DESK).get("/scheduling/shifts/").status_code == 403


def test_availability_is_saved_and_bad_times_are_refused(clinic, client_for):
    course = make_course(clinic)
    desk = client_for(Role.FRONT_DESK)
    url = f"/scheduling/patients/{course.patient.pk}/availability/"
    assert desk.post(url, {"start_0": "09:00", "end_0": "08:00"}).status_code == 400
    assert desk.post(url, {"start_0": "09:00"}).status_code == 400
    assert desk.post(url, {"start_0": "09:00", "end_0": "12:00"}).status_code == 302
    assert list(course.patient.availability.values_list("weekday", "starts")) == [(0, time(9))]


def test_another_clinics_course_cannot_be_planned(clinic, client_for, world):
    other = make_course(world, world.b)
    assert client_for(Role.FRONT_DESK).get(f"/scheduling/courses/{other.pk}/plan/").status_code == 404


def test_a_bad_day_is_a_clear_400(clinic, client_for):
    assert client_for(Role.NURSE).get("/scheduling/calendar/?day=tomorrow").status_code == 400
    assert client_for(Role.NURSE).get("/scheduling/calendar/?view=day").status_code == 200


def test_confirming_a_booking_shows_it_confirmed_on_the_grid(clinic, client_for):
    course = make_course(clinic)
    starts_at = (timezone.now() + timedelta(days=2)).astimezone(NY).replace(hour=10, minute=0, second=0, microsecond=0)
    session = services.book_session(course=course, chair=clinic.a.chairs.first(), starts_at=starts_at,
                                    by=clinic.users[Role.NURSE])
    desk = client_for(Role.FRONT_DESK)
    assert desk.post(f"/scheduling/bookings/{session.pk}/", {"action": "confirm"}).status_code == 302
    week = desk.get(f"/scheduling/calendar/?day={starts_at.date().isoformat()}")
    assert "cal-block confirmed" in week.content.decode()
