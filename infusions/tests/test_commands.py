"""The infusions commands: hl7-sample's output, alerts-tick, and the patient-chart hooks."""

import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from accounts.choices import Role
from alerts.choices import AlertKind
from alerts.models import Alert
from clinical.hl7 import MllpDecoder, parse_oru
from infusions import services

from .helpers import infusing, t0

pytestmark = pytest.mark.django_db


class Out(io.StringIO):
    """Stands in for stdout, with the binary buffer hl7-sample writes frames to."""

    def __init__(self):
        super().__init__()
        self.buffer = io.BytesIO()


@pytest.mark.parametrize("style", ["pcd01_mdc", "mdc_ucum", "loinc_engine"])
def test_hl7_sample_writes_framed_messages_that_file_for_the_session(world, style, monkeypatch):
    session = infusing(world, t0(1))
    out = Out()
    monkeypatch.setattr("sys.stdout", out)
    call_command("hl7-sample", "--mrn", session.patient.mrn, "--clinic", "clinic-a", "--count", "2", "--style", style)
    frames = MllpDecoder().feed(out.buffer.getvalue())
    assert len(frames) == 2
    for raw in frames:
        assert services.file_hl7_message(clinic=world.a, raw=raw).code == "AA"
    tz = ZoneInfo(world.a.time_zone)  # the LOINC style writes local time without an offset
    times = [parse_oru(raw, default_tz=tz).observations[0].observed_at for raw in frames]
    assert times[1] - times[0] == timedelta(minutes=5)
    assert abs(times[1] - datetime.now(UTC)) < timedelta(minutes=2)


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
