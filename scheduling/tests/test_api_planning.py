"""The scheduling API for nurse shifts, patient availability, plan-the-course (propose, check an adjusted plan,
accept) and the waiting list; and adjusting a proposal in place on the plan page."""

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse

from accounts.choices import Role
from audit.models import AuditEvent
from infusions.models import InfusionSession
from ketacare.testing import api_json, make_chair, make_course
from scheduling import services
from scheduling.models import NurseShift, PatientAvailability, SessionPlan, WaitingListEntry

pytestmark = pytest.mark.django_db


def api(user, clinic):
    return api_json(user, clinic, "/scheduling")


@pytest.fixture
def staffed(world):
    """Clinic A with one chair and its nurse on shift every day, all day (so a proposal always exists)."""
    admin = world.users[Role.CLINIC_ADMIN]
    for weekday in range(7):
        services.add_nurse_shift(clinic=world.a, nurse=world.users[Role.NURSE], weekday=weekday,
                                 starts=time(7), ends=time(20), by=admin)
    make_chair(world, name="Chair 1")
    return world


def test_shifts_are_added_listed_refused_on_overlap_and_removed(world):
    admin, nurse = world.users[Role.CLINIC_ADMIN], world.users[Role.NURSE]
    call = api(admin, world.a)
    status, shift = call("post", "/shifts", {"nurse_id": nurse.pk, "weekday": 0, "starts": "08:00", "ends": "16:30"})
    assert status == 201 and shift["weekday"] == 0 and shift["ends"] == "16:30:00"
    status, body = call("post", "/shifts", {"nurse_id": nurse.pk, "weekday": 0, "starts": "16:00", "ends": "18:00"})
    assert status == 400 and "overlaps" in body["detail"].lower()
    status, body = call("post", "/shifts", {"nurse_id": nurse.pk, "weekday": 1, "starts": "18:00", "ends": "08:00"})
    assert status == 400 and "after the start" in body["detail"]
    assert NurseShift.objects.filter(nurse=nurse).count() == 1
    assert [s["id"] for s in call("get", "/shifts")[1]] == [shift["id"]]
    assert call("delete", f"/shifts/{shift['id']}")[0] == 204
    assert call("get", "/shifts")[1] == []
    assert AuditEvent.objects.filter(action__in=["shift_add", "shift_remove"]).count() == 2


def test_a_shift_needs_a_nurse_of_this_clinic_and_the_admin_permission(world):
    admin = world.users[Role.CLINIC_ADMIN]
    shift = {"nurse_id": world.b_users[Role.NURSE].pk, "weekday": 2, "starts": "08:00", "ends": "12:00"}
    assert api(admin, world.a)("post", "/shifts", shift)[0] == 404
    shift["nurse_id"] = world.users[Role.THERAPIST].pk
    assert api(admin, world.a)("post", "/shifts", shift)[0] == 400
    shift["nurse_id"] = world.users[Role.NURSE].pk
    assert api(world.users[Role.THERAPIST], world.a)("post", "/shifts", shift)[0] == 403
    assert not NurseShift.objects.exists()
    other = services.add_nurse_shift(clinic=world.b, nurse=world.b_users[Role.NURSE], weekday=0, starts=time(8),
                                     ends=time(9), by=world.b_users[Role.CLINIC_ADMIN])
    assert api(admin, world.a)("delete", f"/shifts/{other.pk}")[0] == 404


def test_a_shift_exception_makes_a_day_off(world):
    call = api(world.users[Role.CLINIC_ADMIN], world.a)
    status, row = call("put", "/shift-exceptions", {"nurse_id": world.users[Role.NURSE].pk, "on": "2027-02-01",
                                                    "reason": "training"})
    assert status == 200 and row["starts"] is None and row["reason"] == "training"
    status, _ = call("put", "/shift-exceptions", {"nurse_id": world.users[Role.NURSE].pk, "on": "2027-02-02",
                                                  "starts": "10:00"})
    assert status == 400


def test_patient_availability_is_replaced_whole_or_not_at_all(world):
    patient = make_course(world).patient
    call = api(world.users[Role.FRONT_DESK], world.a)
    windows = [{"weekday": 0, "starts": "09:00", "ends": "12:00"}, {"weekday": 2, "starts": "13:00", "ends": "17:00"}]
    status, rows = call("put", f"/patients/{patient.pk}/availability", {"windows": windows})
    assert status == 200 and [r["weekday"] for r in rows] == [0, 2]
    bad = windows + [{"weekday": 4, "starts": "17:00", "ends": "09:00"}]
    assert call("put", f"/patients/{patient.pk}/availability", {"windows": bad})[0] == 400
    assert PatientAvailability.objects.filter(patient=patient).count() == 2
    assert [r["starts"] for r in call("get", f"/patients/{patient.pk}/availability")[1]] == ["09:00:00", "13:00:00"]
    assert api(world.users[Role.THERAPIST], world.a)("get", f"/patients/{patient.pk}/availability")[0] == 403


def _as_input(proposal):
    return [{"chair_id": b["chair_id"], "nurse_id": b["nurse_id"], "starts_at": b["starts_at"]} for b in proposal]


def test_plan_propose_check_an_adjustment_and_accept(staffed):
    course = make_course(staffed)
    call = api(staffed.users[Role.FRONT_DESK], staffed.a)
    status, plan = call("get", f"/courses/{course.pk}/plan")
    assert status == 200 and plan["booked"] == 0 and plan["total"] == 6 and len(plan["proposal"]) == 6
    assert [b["number"] for b in plan["proposal"]] == [1, 2, 3, 4, 5, 6]
    bookings = _as_input(plan["proposal"])
    assert call("post", f"/courses/{course.pk}/plan/check", {"bookings": bookings})[1] == {"fits": True,
                                                                                          "problems": []}
    # Infusion 2 moved onto infusion 1's day breaks the 44-hour spacing: reported, and accepting books nothing.
    too_close = [dict(b) for b in bookings]
    too_close[1]["starts_at"] = (datetime.fromisoformat(bookings[0]["starts_at"]) + timedelta(hours=3)).isoformat()
    status, checked = call("post", f"/courses/{course.pk}/plan/check", {"bookings": too_close})
    assert status == 200 and checked["fits"] is False and checked["problems"]
    assert call("post", f"/courses/{course.pk}/plan", {"bookings": too_close})[0] == 400
    assert not InfusionSession.objects.filter(course=course).exists()
    # The last infusion five minutes later still fits; accepting books the adjusted plan with its nurses.
    later = [dict(b) for b in bookings]
    later[5]["starts_at"] = (datetime.fromisoformat(bookings[5]["starts_at"]) + timedelta(minutes=5)).isoformat()
    assert call("post", f"/courses/{course.pk}/plan/check", {"bookings": later})[1]["fits"] is True
    status, booked = call("post", f"/courses/{course.pk}/plan", {"bookings": later})
    assert status == 201 and len(booked) == 6
    assert datetime.fromisoformat(booked[5]["scheduled_start"]) == datetime.fromisoformat(later[5]["starts_at"])
    assert SessionPlan.objects.filter(session__course=course, nurse=staffed.users[Role.NURSE]).count() == 6
    status, body = call("get", f"/courses/{course.pk}/plan")
    assert status == 400 and "every infusion" in body["detail"].lower()


def test_a_plan_with_a_naive_time_or_another_clinics_chair_is_refused(staffed):
    course = make_course(staffed)
    call = api(staffed.users[Role.FRONT_DESK], staffed.a)
    bookings = _as_input(call("get", f"/courses/{course.pk}/plan")[1]["proposal"])
    naive = [dict(b) for b in bookings]
    naive[0]["starts_at"] = naive[0]["starts_at"][:16]
    assert call("post", f"/courses/{course.pk}/plan", {"bookings": naive})[0] == 400
    foreign = [dict(b) for b in bookings]
    foreign[0]["chair_id"] = make_chair(staffed, staffed.b, name="B chair").pk
    assert call("post", f"/courses/{course.pk}/plan", {"bookings": foreign})[0] == 404
    assert not InfusionSession.objects.filter(course=course).exists()
    assert api(staffed.users[Role.THERAPIST], staffed.a)("get", f"/courses/{course.pk}/plan")[0] == 403


def test_the_waiting_list_joins_once_lists_and_leaves(world):
    course = make_course(world)
    call = api(world.users[Role.FRONT_DESK], world.a)
    status, entry = call("post", "/waiting-list", {"course_id": course.pk, "note": "mornings"})
    assert status == 201 and entry["patient_id"] == course.patient_id
    assert call("post", "/waiting-list", {"course_id": course.pk})[0] == 400
    assert [e["id"] for e in call("get", "/waiting-list")[1]] == [entry["id"]]
    assert call("delete", f"/waiting-list/{entry['id']}")[0] == 204
    assert call("get", "/waiting-list")[1] == []
    assert WaitingListEntry.objects.get(pk=entry["id"]).removed_at is not None
    assert call("delete", f"/waiting-list/{entry['id']}")[0] == 404


def _posted_rows(proposal, tz_name):
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(tz_name)
    return {"chair": [b.chair.pk for b in proposal.bookings], "nurse": [b.nurse.pk for b in proposal.bookings],
            "start": [b.starts_at.astimezone(tz).strftime("%Y-%m-%dT%H:%M") for b in proposal.bookings]}


def test_the_plan_page_checks_an_adjusted_row_in_place_and_books_it(staffed, client_for):
    from django.utils import timezone

    from scheduling.proposals import propose_course

    course = make_course(staffed)
    client = client_for(Role.FRONT_DESK)
    url = reverse("scheduling:plan_course", args=[course.pk])
    page = client.get(url).content.decode()
    assert 'type="datetime-local" name="start"' in page and "Check my changes" in page
    rows = _posted_rows(propose_course(course, now=timezone.now()), staffed.a.time_zone)
    bad = {**rows, "start": [rows["start"][0]] * 6}
    page = client.post(url, {**bad, "action": "check"}).content.decode()
    assert 'id="plan-problems"' in page and not InfusionSession.objects.filter(course=course).exists()
    assert page.count('name="start"') == 6  # the user's rows stay on the page
    last = datetime.fromisoformat(rows["start"][5]) + timedelta(minutes=5)
    good = {**rows, "start": rows["start"][:5] + [last.strftime("%Y-%m-%dT%H:%M")]}
    assert 'id="plan-fits"' in client.post(url, {**good, "action": "check"}).content.decode()
    response = client.post(url, {**good, "action": "accept"})
    assert response.status_code == 302
    sessions = list(InfusionSession.objects.filter(course=course).order_by("scheduled_start"))
    assert len(sessions) == 6
    from zoneinfo import ZoneInfo

    assert sessions[5].scheduled_start.astimezone(ZoneInfo(staffed.a.time_zone)).replace(tzinfo=None) == last


def test_a_shift_with_a_time_zone_is_refused_not_a_server_error(world):
    call = api(world.users[Role.CLINIC_ADMIN], world.a)
    status, body = call("post", "/shifts", {"nurse_id": world.users[Role.NURSE].pk, "weekday": 0,
                                            "starts": "00:00:00Z", "ends": "19:02:00Z"})
    assert status == 400 and "without a time zone" in body["detail"]
    assert not NurseShift.objects.exists()


def test_checking_a_plan_with_a_start_in_the_past_reports_it_as_a_problem(staffed):
    course = make_course(staffed)
    call = api(staffed.users[Role.FRONT_DESK], staffed.a)
    bookings = _as_input(call("get", f"/courses/{course.pk}/plan")[1]["proposal"])
    from django.utils import timezone

    bookings[0]["starts_at"] = (timezone.now() - timedelta(days=1)).isoformat()  # after the order, before now
    status, checked = call("post", f"/courses/{course.pk}/plan/check", {"bookings": bookings})
    assert status == 200 and checked["fits"] is False and "in the past" in checked["problems"][0]
    assert not InfusionSession.objects.filter(course=course).exists()
