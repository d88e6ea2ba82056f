"""The alerts pages: the list, the polled panel and acknowledging, role-checked and scoped to the clinic."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.choices import Role
from alerts.models import Alert
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_alerts_page_lists_and_acknowledges(world, client_for, vital_alert):
    client = client_for(Role.NURSE)
    page = client.get(reverse("alerts:list"))
    assert page.status_code == 200 and "Heart rate 130" in page.content.decode()
    assert AuditEvent.objects.filter(action="alerts_view", detail__count=1).exists()
    ack = reverse("alerts:acknowledge", kwargs={"alert_id": vital_alert.pk})
    refused = client.post(ack, {"action_note": ""})
    assert refused.status_code == 400 and "Write the action you took" in refused.content.decode()
    done = client.post(ack, {"action_note": "Calmed; HR 100", "next": "/infusions/"})
    assert done.status_code == 302 and done.url == "/infusions/"
    assert not Alert.objects.get(pk=vital_alert.pk).is_open


def test_acknowledge_takes_only_a_post_and_never_redirects_off_site(world, client_for, vital_alert):
    client = client_for(Role.NURSE)
    ack = reverse("alerts:acknowledge", kwargs={"alert_id": vital_alert.pk})
    assert client.get(ack).status_code == 405
    done = client.post(ack, {"action_note": "Rechecked", "next": "https://elsewhere.example/"})
    assert done.status_code == 302 and done.url == reverse("alerts:list")


def test_the_panel_is_polled_and_audits_a_view_at_most_every_few_minutes(world, client_for, vital_alert):
    client = client_for(Role.PRESCRIBER)
    for _ in range(3):
        html = client.get(reverse("alerts:panel")).content.decode()
        assert "Heart rate 130" in html and 'hx-get="/alerts/panel/"' in html
    assert AuditEvent.objects.filter(action="alerts_view").count() == 1


def test_a_ledger_alert_shows_without_a_patient(world, client_for):
    from inventory import services as inventory
    from inventory.tests.conftest import build_stock

    stock = build_stock(world)
    inventory.record_count(line=inventory.CountLine(stock.lot, stock.safe, sealed_containers=4), by=world.users[Role.NURSE])
    html = client_for(Role.NURSE).get(reverse("alerts:list")).content.decode()
    assert "differs from the ledger" in html and 'href="/inventory/"' in html


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.INVENTORY_OFFICER, Role.RESEARCHER])
def test_roles_away_from_care_get_403(world, client_for, vital_alert, role):
    client = client_for(role)
    assert client.get(reverse("alerts:list")).status_code == 403
    assert client.post(reverse("alerts:acknowledge", kwargs={"alert_id": vital_alert.pk}), {"action_note": "x"}).status_code == 403


def test_another_clinic_sees_none_and_gets_404(world, vital_alert):
    other = Client()
    other.force_login(world.b_users[Role.NURSE])
    assert "Heart rate 130" not in other.get(reverse("alerts:list")).content.decode()
    assert other.post(reverse("alerts:acknowledge", kwargs={"alert_id": vital_alert.pk}),
                      {"action_note": "x"}).status_code == 404
    assert Alert.objects.get(pk=vital_alert.pk).is_open
