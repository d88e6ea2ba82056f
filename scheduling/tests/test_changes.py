"""Cancel, no-show and reschedule: a reason each, audited, the chair freed, the assessment schedule following."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from accounts import services as accounts
from accounts.choices import Role
from audit.models import AuditEvent
from courses.choices import NOT_HELD_STATES
from infusions.choices import NOT_HELD
from infusions.models import InfusionSession, SessionEvent
from ketacare.testing import (
    book_at,
    make_chair,
    make_course,
    make_eligible_patient,
    next_weekday_at,
)
from measures import queries as measures
from scheduling import services
from toolkit.errors import ServiceError

pytestmark = pytest.mark.django_db


def _now():
    return datetime.now(UTC).replace(second=0, microsecond=0)


_MRNS = iter(range(100, 10_000))


def _booked(world, starts_at, chair=None):
    """A booking for a new patient (each test patient needs its own MRN)."""
    course = make_course(world, patient=make_eligible_patient(world, mrn=f"S-{next(_MRNS)}"))
    return book_at(world, course, chair or make_chair(world, name=f"C-{course.pk}"), starts_at)


def _actions(session):
    return list(AuditEvent.objects.filter(object_id=str(session.pk), action__startswith="session_")
                .order_by("pk").values_list("action", flat=True))


def test_courses_counts_the_same_states_as_not_held():
    assert set(NOT_HELD_STATES) == {str(s) for s in NOT_HELD}


def test_a_cancellation_is_audited_with_its_reason_and_frees_the_chair_and_the_course_slot(world):
    chair = make_chair(world)
    start = next_weekday_at(_now())
    session = _booked(world, start, chair=chair)
    done = services.cancel_session(session=session, reason="Patient has a fever", by=world.front_desk)
    assert done.state == "cancelled" and _actions(session) == ["session_book", "session_cancel"]
    event = SessionEvent.objects.get(session=session)
    assert (event.action, event.from_state, event.to_state, event.reason) == ("cancelled", "scheduled", "cancelled", "Patient has a fever")
    other = make_course(world, patient=make_eligible_patient(world, mrn="E-2"))
    assert services.book_session(course=other, chair=chair, starts_at=start, by=world.nurse).scheduled_start == start
    again = services.book_session(course=session.course, chair=make_chair(world, name="Chair 2"), starts_at=start, by=world.nurse)
    assert again.number == 2


def test_a_no_show_waits_for_the_booked_time_then_frees_the_chair(world):
    chair = make_chair(world)
    future = _booked(world, next_weekday_at(_now()), chair=chair)
    with pytest.raises(ServiceError, match="once that time has come"):
        services.record_no_show(session=future, reason="Did not answer the phone", by=world.nurse)
    assert InfusionSession.objects.get(pk=future.pk).state == "scheduled"
    past_start = _now() - timedelta(hours=2)
    missed = _booked(world, past_start, chair=chair)
    done = services.record_no_show(session=missed, reason="Did not answer the phone", by=world.nurse)
    assert done.state == "no_show" and "No-show: Did not answer the phone" in done.notes
    assert "session_no_show" in _actions(missed)
    rebooked = services.back_enter_session(course=make_course(world, patient=make_eligible_patient(world, mrn="E-3")),
                                           chair=chair, starts_at=past_start, reason="Walk-in seen in the slot",
                                           by=world.prescriber)
    assert rebooked.chair_id == chair.pk


def test_nothing_more_is_recorded_on_a_no_show(world):
    from infusions.tests.helpers import check_in

    session = services.record_no_show(session=_booked(world, _now() - timedelta(hours=1)),
                                      reason="Did not attend", by=world.nurse)
    with pytest.raises(ServiceError, match="did not attend"):
        check_in(world, session, at=_now())
    assert InfusionSession.objects.get(pk=session.pk).state == "no_show"


@pytest.mark.parametrize("change", ["cancel", "no_show", "reschedule"])
def test_every_change_needs_a_reason_and_a_booking_not_yet_checked_in(world, change):
    from infusions.tests.helpers import checked_in

    session = _booked(world, _now() - timedelta(hours=1))
    call = {
        "cancel": lambda s, r: services.cancel_session(session=s, reason=r, by=world.nurse),
        "no_show": lambda s, r: services.record_no_show(session=s, reason=r, by=world.nurse),
        "reschedule": lambda s, r: services.reschedule_session(session=s, chair=s.chair, reason=r, by=world.nurse,
                                                               starts_at=next_weekday_at(_now())),
    }[change]
    with pytest.raises(ServiceError, match="reason"):
        call(session, "   ")
    assert InfusionSession.objects.get(pk=session.pk).state == "scheduled"
    live = checked_in(world)
    with pytest.raises(ServiceError, match="not been checked in"):
        call(live, "Patient asked")
    assert InfusionSession.objects.get(pk=live.pk).state == "checked_in"
    with pytest.raises(ServiceError, match="role"):
        services.cancel_session(session=session, reason="Patient asked", by=world.therapist)


def test_a_reschedule_moves_the_booking_by_the_booking_rules_and_is_audited(world):
    chair, window = make_chair(world), make_chair(world, name="Window")
    start = next_weekday_at(_now())
    session = _booked(world, start, chair=chair)
    blocker = _booked(world, start + timedelta(days=1), chair=window)
    with pytest.raises(ServiceError, match="Window is already booked for Testy Synthetic"):
        services.reschedule_session(session=session, chair=window, starts_at=start + timedelta(days=1, minutes=30),
                                    reason="Patient asked for Tuesday", by=world.nurse)
    with pytest.raises(ServiceError, match="in the past"):
        services.reschedule_session(session=session, chair=chair, starts_at=_now() - timedelta(days=1),
                                    reason="Patient asked for Tuesday", by=world.nurse)
    moved = services.reschedule_session(session=session, chair=window, starts_at=start + timedelta(hours=3),
                                        reason="Patient asked for later", by=world.nurse)
    assert (moved.chair_id, moved.scheduled_start, moved.number) == (window.pk, start + timedelta(hours=3), 1)
    event = AuditEvent.objects.get(action="session_reschedule", object_id=str(session.pk))
    assert event.detail["from"]["chair"] == "Chair 1" and event.detail["to"]["chair"] == "Window"
    assert InfusionSession.objects.get(pk=blocker.pk).scheduled_start == start + timedelta(days=1)


def _slot(course, key, instrument, occurrence=0):
    course.refresh_from_db()
    slots = measures.course_slots(course, datetime.now(UTC))
    return next((s for s in slots if (s.point_key, s.instrument, s.occurrence) == (key, instrument, occurrence)), None)


def test_a_no_show_of_the_first_infusion_moves_the_baseline_to_the_next_one(world):
    course, chair = make_course(world), make_chair(world)
    first_at = _now() - timedelta(hours=3)
    first = book_at(world, course, chair, first_at)
    second = book_at(world, course, chair, first_at + timedelta(days=2))
    assert _slot(course, "baseline", "pcl5").due_by == first_at
    services.record_no_show(session=first, reason="Did not attend", by=world.nurse)
    assert _slot(course, "baseline", "pcl5").due_by == second.scheduled_start
    assert _slot(course, "post_first_24h", "pcl5").opens_at == second.scheduled_start + timedelta(hours=24)
    assert _slot(course, "pre_infusion", "phq9", occurrence=first.number) is None
    assert _slot(course, "pre_infusion", "phq9", occurrence=second.number) is not None


def test_a_cancelled_last_infusion_holds_back_the_end_of_course_until_it_is_rebooked(world):
    course, chair = make_course(world), make_chair(world)
    start = next_weekday_at(_now())
    sessions = [book_at(world, course, chair, start + timedelta(days=2 * k)) for k in range(6)]
    assert _slot(course, "end_of_course", "pcl5").opens_at == sessions[-1].scheduled_start + timedelta(hours=24)
    services.cancel_session(session=sessions[-1], reason="Clinic closed that day", by=world.nurse)
    assert _slot(course, "end_of_course", "pcl5") is None
    rebooked = book_at(world, course, chair, sessions[-1].scheduled_start + timedelta(days=1))
    assert _slot(course, "end_of_course", "pcl5").opens_at == rebooked.scheduled_start + timedelta(hours=24)


def test_a_rescheduled_first_infusion_moves_the_baseline_with_it(world):
    course, chair = make_course(world), make_chair(world)
    start = next_weekday_at(_now())
    first = book_at(world, course, chair, start)
    services.reschedule_session(session=first, chair=chair, starts_at=start + timedelta(days=1),
                                reason="Patient asked", by=world.nurse)
    assert _slot(course, "baseline", "pcl5").due_by == start + timedelta(days=1)


def _api(user, clinic):
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Bearer {accounts.issue_token(user=user, clinic=clinic, name='t', by='test')}")

    def post(path, body):
        response = client.post(f"/api/scheduling{path}", data=json.dumps(body), content_type="application/json")
        return response.status_code, response.json()

    return post


def test_the_api_cancels_records_no_shows_and_reschedules(world):
    post = _api(world.nurse, world.a)
    later = _booked(world, next_weekday_at(_now()))
    missed = _booked(world, _now() - timedelta(hours=1))
    assert post(f"/bookings/{later.pk}/cancel", {"reason": ""})[0] == 422
    status, body = post(f"/bookings/{later.pk}/reschedule", {"chair_id": later.chair_id, "reason": "Patient asked",
                                                             "starts_at": (later.scheduled_start + timedelta(hours=2)).isoformat()})
    assert status == 200 and body["scheduled_start"].startswith((later.scheduled_start + timedelta(hours=2)).strftime("%Y-%m-%dT%H"))
    assert post(f"/bookings/{later.pk}/cancel", {"reason": "Patient asked"}) [1]["state"] == "cancelled"
    assert post(f"/bookings/{missed.pk}/no-show", {"reason": "Did not attend"})[1]["state"] == "no_show"
    status, body = post(f"/bookings/{missed.pk}/cancel", {"reason": "Patient asked"})
    assert status == 400 and "did not attend" in body["detail"]


def test_another_clinic_cannot_change_a_booking(world):
    session = _booked(world, next_weekday_at(_now()))
    post = _api(world.b_users[Role.NURSE], world.b)
    assert post(f"/bookings/{session.pk}/cancel", {"reason": "Patient asked"})[0] == 404
    assert post(f"/bookings/{session.pk}/no-show", {"reason": "Patient asked"})[0] == 404
    assert InfusionSession.objects.get(pk=session.pk).state == "scheduled"


def test_the_schedule_page_cancels_and_records_no_shows_then_shows_the_chair_free(world, client_for):
    from django.utils import timezone

    missed = _booked(world, _now() - timedelta(hours=1))
    day = timezone.localtime(missed.scheduled_start).date().isoformat()
    client = client_for(Role.FRONT_DESK)
    page = reverse("scheduling:schedule") + f"?day={day}"
    html = client.get(page).content.decode()
    assert reverse("scheduling:cancel", args=[missed.pk]) in html and reverse("scheduling:no_show", args=[missed.pk]) in html
    response = client.post(reverse("scheduling:no_show", args=[missed.pk]), {"reason": "", "next": page}, follow=True)
    assert "was not changed" in response.content.decode()
    assert InfusionSession.objects.get(pk=missed.pk).state == "scheduled"
    response = client.post(reverse("scheduling:no_show", args=[missed.pk]), {"reason": "Did not attend", "next": page}, follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == page and "recorded as a no-show; the chair is free" in html
    assert "Free all day." in html
    assert client.get(reverse("scheduling:cancel", args=[missed.pk])).status_code == 405


def test_the_chart_lists_bookings_with_their_actions_for_schedulers(world, client_for):
    session = _booked(world, next_weekday_at(_now()))
    chart = reverse("patients:chart", args=[session.patient_id])
    html = client_for(Role.NURSE).get(chart).content.decode()
    assert reverse("scheduling:cancel", args=[session.pk]) in html and reverse("scheduling:reschedule", args=[session.pk]) in html
    assert reverse("scheduling:no_show", args=[session.pk]) not in html  # not before its time
    assert reverse("scheduling:cancel", args=[session.pk]) not in client_for(Role.THERAPIST).get(chart).content.decode()
    response = client_for(Role.NURSE).post(reverse("scheduling:cancel", args=[session.pk]),
                                           {"reason": "Patient asked", "next": chart})
    assert response.status_code == 302 and response["Location"] == chart
    assert InfusionSession.objects.get(pk=session.pk).state == "cancelled"


def test_the_reschedule_page_moves_a_booking(world, client_for):
    from django.utils import timezone

    session = _booked(world, next_weekday_at(_now()))
    url = reverse("scheduling:reschedule", args=[session.pk])
    assert client_for(Role.NURSE).get(url).status_code == 200
    new_start = session.scheduled_start + timedelta(hours=2)
    form = {"chair": session.chair_id, "starts_at": timezone.localtime(new_start).strftime("%Y-%m-%dT%H:%M")}
    assert client_for(Role.NURSE).post(url, form).status_code == 400
    assert client_for(Role.NURSE).post(url, {**form, "reason": "Patient asked"}).status_code == 302
    assert InfusionSession.objects.get(pk=session.pk).scheduled_start == new_start
