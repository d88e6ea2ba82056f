"""Polled page parts neither keep the session alive nor write an audit event per poll (ketacare/polling.py)."""

import pytest
from django.urls import reverse

from accounts.choices import Role
from audit.models import AuditEvent
from infusions import services
from infusions.tests.helpers import infusing

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def age_session(client, key, minutes):
    session = client.session
    session[key] = session[key] - minutes * 60
    session.save()


def age_poll_audits(client, minutes):
    session = client.session
    session["polls_audited"] = {page: [shown, at - minutes * 60] for page, (shown, at) in session["polls_audited"].items()}
    session.save()


def test_polling_the_alerts_panel_does_not_move_the_idle_clock(client, world):
    client.force_login(world.nurse)
    client.get(reverse("home"))
    age_session(client, "last_seen", 10)
    before = client.session["last_seen"]
    assert client.get(reverse("alerts:panel"), **HTMX).status_code == 200
    assert client.session["last_seen"] == before


def test_a_poll_after_the_idle_timeout_sends_the_whole_page_to_sign_in(client, world):
    client.force_login(world.nurse)
    client.get(reverse("home"))
    age_session(client, "last_seen", 16)
    response = client.get(reverse("alerts:panel"), **HTMX)
    assert response.status_code == 204 and response["HX-Redirect"] == reverse("accounts:login")
    assert client.get(reverse("home")).status_code == 302


def test_a_page_the_user_opens_still_moves_the_idle_clock(client, world):
    client.force_login(world.nurse)
    client.get(reverse("home"))
    age_session(client, "last_seen", 10)
    before = client.session["last_seen"]
    client.get(reverse("alerts:list"))
    assert client.session["last_seen"] > before


def test_the_alerts_panel_is_audited_once_while_it_shows_nothing_new(client, world):
    client.force_login(world.nurse)
    for _ in range(5):
        client.get(reverse("alerts:panel"), **HTMX)
    assert AuditEvent.objects.filter(action="alerts_view").count() == 1
    age_poll_audits(client, 2)
    client.get(reverse("alerts:panel"), **HTMX)
    assert AuditEvent.objects.filter(action="alerts_view").count() == 1  # a minute on, but nothing new


def test_the_alerts_panel_is_audited_again_when_it_shows_a_new_alert_at_most_once_a_minute(client, world):
    session = infusing(world)
    client.force_login(world.nurse)
    client.get(reverse("alerts:panel"), **HTMX)
    services.record_vitals(session=session, by=world.users[Role.NURSE], values={"systolic_mmhg": 186, "diastolic_mmhg": 96})
    client.get(reverse("alerts:panel"), **HTMX)
    assert AuditEvent.objects.filter(action="alerts_view").count() == 1  # new, but within the minute
    age_poll_audits(client, 1)
    client.get(reverse("alerts:panel"), **HTMX)
    client.get(reverse("alerts:panel"), **HTMX)
    assert AuditEvent.objects.filter(action="alerts_view").count() == 2


def test_the_live_session_part_is_audited_when_a_new_reading_is_shown(client, world):
    session = infusing(world)
    client.force_login(world.nurse)
    url = reverse("infusions:live", args=[session.pk])
    for _ in range(3):
        assert client.get(url, **HTMX).status_code == 200
    views = AuditEvent.objects.filter(action="session_view", object_id=str(session.pk))
    assert views.count() == 1
    age_poll_audits(client, 2)
    client.get(url, **HTMX)
    assert views.count() == 1
    services.record_vitals(session=session, by=world.users[Role.NURSE], values={"systolic_mmhg": 124})
    client.get(url, **HTMX)
    assert views.count() == 2
