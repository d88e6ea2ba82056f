"""The outcome report page: roles, figures with CIs, charts, filters and the print view."""

from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from ketacare.testing import demo_rolled_back

    with demo_rolled_back(django_db_blocker, small=True) as ctx:
        yield ctx


def client_for(demo, role):
    client = Client()
    client.force_login(demo.users[role])
    return client


@pytest.mark.parametrize("role", ["prescriber", "clinic_admin", "researcher"])
def test_readers_see_the_figures_charts_and_tables(demo, role):
    page = client_for(demo, role).get("/outcomes/").content.decode()
    for section in ("response", "remission", "durability", "km-curve", "trajectory", "clusters", "safety",
                    "benchmarks"):
        assert f'id="{section}"' in page
    assert "Remission at end of course" in page and "95% CI" in page
    assert page.count('class="trial-mark"') == 2 and "Feder 2021: 27.5 d" in page and "Albott 2018: 41 d" in page
    assert 'class="at-risk"' in page and "<script" not in page.split("<main")[1]
    assert "/courses/" not in page.split('id="main"')[1]  # aggregates only: no course links or identities


@pytest.mark.parametrize("role", ["nurse", "therapist", "front_desk", "inventory_officer"])
def test_other_roles_are_refused(demo, role):
    assert client_for(demo, role).get("/outcomes/").status_code == 403


def test_bad_filters_are_explained_and_nothing_breaks(demo):
    client = client_for(demo, "prescriber")
    for query in ("?from=yesterday", "?protocol=999999", "?from=2026-05-01&to=2026-01-01", "?protocol=x"):
        response = client.get("/outcomes/" + query)
        assert response.status_code == 200
        assert 'role="alert"' in response.content.decode()


def test_filters_narrow_the_courses(demo):
    client = client_for(demo, "prescriber")
    started = int(re.search(r"Courses: (\d+) started", client.get("/outcomes/").content.decode()).group(1))
    assert started > 0
    future = client.get("/outcomes/?from=2999-01-01").content.decode()
    assert "Courses: 0 started" in future
    protocol = demo.protocol.pk
    assert f"Courses: {started} started" in client.get(f"/outcomes/?protocol={protocol}").content.decode()


def test_print_view_hides_navigation(demo):
    page = client_for(demo, "researcher").get("/outcomes/?print=1").content.decode()
    assert 'class="print-view"' in page and "Print view</a>" not in page


def test_viewing_the_report_is_audited(demo):
    from audit.models import AuditEvent

    before = AuditEvent.objects.filter(action="outcome_report_view").count()
    client_for(demo, "researcher").get("/outcomes/?from=2020-01-01")
    event = AuditEvent.objects.filter(action="outcome_report_view").latest("seq")
    assert AuditEvent.objects.filter(action="outcome_report_view").count() == before + 1
    assert event.detail["from"] == "2020-01-01"
