"""Due lists anchored to the course: dashboard, check-in and chart; progress and charts on the chart."""

from datetime import UTC, datetime, timedelta

import pytest

from ketacare.testing import make_course
from measures import queries, services
from scheduling.services import cancel_session

from .conftest import book

pytestmark = pytest.mark.django_db


def keys(items):
    return [(i.slot.point_key, i.slot.occurrence, i.slot.instrument) for i in items]


def test_the_baseline_is_due_in_the_72_hours_before_the_first_infusion(world, patient, sessions):
    items = queries.due_items(world.a, datetime.now(UTC))
    assert keys(items) == [("baseline", 0, i) for i in ("pcl5", "phq9", "gad7", "cssrs")]
    assert all(i.status == "due" and i.patient == patient for i in items)
    assert items[0].enter_url == f"/measures/patients/{patient.pk}/enter/?instrument=pcl5&point=baseline&occurrence=0"


def test_nothing_is_due_before_any_infusion_is_booked(world, patient):
    assert queries.due_items(world.a, datetime.now(UTC)) == []


def test_a_done_item_leaves_the_list(world, patient, sessions):
    services.record_assessment(patient=patient, instrument="gad7", items=[1] * 7, point_key="baseline", by=world.nurse)
    assert ("baseline", 0, "gad7") not in keys(queries.due_items(world.a, datetime.now(UTC)))


def test_check_in_lists_what_is_due_before_that_infusion(world, course):
    first = (datetime.now(UTC) + timedelta(hours=10)).replace(microsecond=0)
    sessions = book(world, course, first)
    due = keys(queries.due_before_session(sessions[0]))
    assert ("pre_infusion", 1, "phq9") in due and ("baseline", 0, "pcl5") in due
    assert not any(k[0] == "pre_infusion" and k[1] == 2 for k in due)
    # The infusions app asks with its own clock.
    later = first + timedelta(days=2) - timedelta(hours=3)
    assert ("pre_infusion", 2, "phq9") in keys(queries.due_before_session(sessions[1], now=later))


def test_overdue_items_come_first_and_other_clinics_see_nothing(world, course):
    first = (datetime.now(UTC) - timedelta(hours=30)).replace(microsecond=0)
    book(world, course, first)
    items = queries.due_items(world.a, datetime.now(UTC))
    assert items[0].overdue and items[0].slot.point_key == "baseline"
    assert ("post_first_24h", 0, "pcl5") in keys(items)
    assert queries.due_items(world.b, datetime.now(UTC)) == []


def test_a_cancelled_infusion_has_no_pre_infusion_item(world, course):
    first = (datetime.now(UTC) + timedelta(hours=10)).replace(microsecond=0)
    sessions = book(world, course, first)
    cancel_session(session=sessions[0], reason="Patient unwell", by=world.nurse)
    due = keys(queries.due_items(world.a, datetime.now(UTC)))
    assert ("pre_infusion", 1, "phq9") not in due


def test_the_dashboard_lists_due_questionnaires(world, patient, sessions, client_for):
    body = client_for("front_desk").get("/").content.decode()
    assert "Questionnaires due" in body and patient.full_name in body and "Send link" in body
    assert "/enter/?instrument=" not in body  # front desk sends links, clinicians enter scores
    assert "/enter/?instrument=" in client_for("nurse").get("/").content.decode()


def test_the_chart_shows_the_open_risk_alert_first_until_reviewed(world, patient, sessions, client_for):
    services.record_assessment(patient=patient, instrument="phq9", items=[0] * 8 + [2], by=world.nurse)
    body = client_for("therapist").get(f"/patients/{patient.pk}/").content.decode()
    assert "Suicide-risk alert, open until a prescriber reviews it" in body
    assert body.index("Suicide-risk alert") < body.index("Questionnaire schedule")
    assert "/measures/alerts/" in body
    assert "Review the alert" not in client_for("front_desk").get(f"/patients/{patient.pk}/").content.decode()


def test_the_chart_shows_progress_with_the_definitions_in_force(world, patient, sessions, client_for):
    services.record_assessment(patient=patient, instrument="pcl5", items=[3] * 20, point_key="baseline", by=world.nurse)
    body = client_for("prescriber").get(f"/patients/{patient.pk}/").content.decode()
    assert "Definitions in force: Response: &gt;= 30% reduction from course baseline or a drop of &gt;= 10 PCL-5 points" in body
    assert "PCL-5 cut-point 33" in body and "<svg" in body and "PCL-5 by symptom cluster" in body
    assert "Questionnaires and progress" not in client_for("front_desk").get(f"/patients/{patient.pk}/").content.decode()


def test_assessments_appear_on_the_timeline(world, patient):
    from measures.chart import timeline

    services.record_assessment(patient=patient, instrument="phq9", items=[2] * 5 + [0] * 4, by=world.nurse)
    services.record_assessment(patient=patient, instrument="cssrs", items=[1, 0, None, None, None, 0, None], by=world.nurse)
    titles = [e.title for e in timeline(patient)]
    assert titles == ["PHQ-9 10 (moderate)", "C-SSRS: risk low"]


def test_another_clinics_course_never_shows(world):
    other = make_course(world, clinic=world.b)
    book(world, other, (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0))
    assert queries.due_items(world.a, datetime.now(UTC)) == []
    assert len(queries.due_items(world.b, datetime.now(UTC))) == 4
