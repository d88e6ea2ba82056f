"""Times on pages and printouts are the clinic's, and printouts name the zone (issue 10 "Words a person reads")."""

from datetime import UTC, datetime

import pytest

from ketacare.testing import make_session

pytestmark = pytest.mark.django_db


def test_the_session_record_shows_clinic_time_and_names_the_zone(client_for, world):
    session = make_session(world, datetime(2027, 1, 12, 15, 0, tzinfo=UTC))  # 10:00 in New York (EST)
    page = client_for("nurse").get(f"/infusions/sessions/{session.pk}/record/").content.decode()
    assert "booked 2027-01-12 10:00" in page and "15:00" not in page
    assert "Times are clinic time, America/New_York" in page


def test_the_outcomes_report_names_the_zone(client_for, world):
    page = client_for("prescriber").get("/outcomes/").content.decode()
    assert "Times are clinic time, America/New_York" in page
