"""Browser walk in headless Chromium: the front desk cancels one booking and records a no-show from the schedule."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from audit.models import AuditEvent
from infusions.models import InfusionSession
from ketacare.testing import book_at, make_chair, make_course, make_eligible_patient, next_weekday_at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _booking(world, mrn, given, starts_at, chair):
    course = make_course(world, patient=make_eligible_patient(world, mrn=mrn, given_name=given, family_name="Sample"))
    return book_at(world, course, chair, starts_at)


def _schedule_of(page, session, tz):
    page.goto(f"/scheduling/?day={session.scheduled_start.astimezone(tz).date().isoformat()}")


def _act(page, session, button, reason):
    page.fill(f"#cancel-reason-{session.pk}", reason)
    with page.expect_navigation():
        page.locator(f"li:has(#cancel-reason-{session.pk})").get_by_role("button", name=button).click()


def test_the_front_desk_cancels_a_booking_and_records_a_no_show_from_the_schedule(world, page, sign_in):
    tz = ZoneInfo(world.a.time_zone)
    chair = make_chair(world, name="Window")
    later = _booking(world, "B-1", "Casey", next_weekday_at(datetime.now(UTC)), chair)
    missed = _booking(world, "B-2", "Morgan", datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=1), chair)

    sign_in("a_front_desk")
    _schedule_of(page, later, tz)
    assert "Casey Sample" in page.inner_text("main")
    _act(page, later, "Cancel booking", "Patient has a fever")
    assert "Infusion 1 of Casey Sample cancelled; the chair is free." in page.inner_text(".messages")
    assert "Casey Sample" not in page.inner_text("main .grid")
    assert InfusionSession.objects.get(pk=later.pk).state == "cancelled"

    _schedule_of(page, missed, tz)
    card = page.locator(f"li:has(#cancel-reason-{missed.pk})")
    assert card.get_by_role("button", name="No-show").is_visible()
    _act(page, missed, "No-show", "No answer on two calls")
    assert "Infusion 1 of Morgan Sample recorded as a no-show; the chair is free." in page.inner_text(".messages")
    assert InfusionSession.objects.get(pk=missed.pk).state == "no_show"
    reasons = dict(AuditEvent.objects.filter(action__in=["session_cancel", "session_no_show"]).values_list("action", "detail"))
    assert reasons["session_cancel"]["reason"] == "Patient has a fever"
    assert reasons["session_no_show"]["reason"] == "No answer on two calls"
    assert page.csp_errors == []
