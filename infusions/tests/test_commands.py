"""The infusions commands: alerts-tick, and the patient-chart hooks."""

import io

import pytest
from django.core.management import call_command

from accounts.choices import Role
from alerts.choices import AlertKind
from alerts.models import Alert

from .helpers import infusing, t0

pytestmark = pytest.mark.django_db


def test_alerts_tick_raises_overdue_alerts_once(world):
    infusing(world, t0(2))  # started 110 min ago, no reading since
    out = io.StringIO()
    call_command("alerts-tick", "--clinic", "clinic-a", stdout=out)
    call_command("alerts-tick", stdout=out)
    assert out.getvalue().splitlines() == ["1 overdue alert(s) raised", "0 overdue alert(s) raised"]
    assert Alert.objects.filter(kind=AlertKind.OVERDUE).count() == 1


def test_the_patient_chart_shows_the_sessions_and_timeline(world, client_for):
    session = infusing(world)
    html = client_for(Role.NURSE).get(f"/patients/{session.patient_id}/").content.decode()
    assert "Infusion sessions" in html and f"/infusions/sessions/{session.pk}/" in html
    assert "Infusion 1" in html and "35.00 mg" in html
