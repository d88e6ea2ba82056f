"""The demo clinic's questionnaires: trajectories, one open suicide-risk alert, a due list that is not empty."""

from datetime import UTC, datetime

import pytest

from alerts.models import Alert
from ketacare.testing import demo_rolled_back
from measures import progress, queries

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo clinic, built once for this module inside a transaction rolled back at the end."""
    with demo_rolled_back(django_db_blocker, seed=11) as ctx:
        yield ctx


def pcl5_outcome(dp):
    course = next(c for c in progress.patient_progress(dp.patient) if c.course.pk == dp.course.pk)
    return next((i.outcome for i in course.instruments if i.instrument.id == "pcl5"), None)


def test_the_demo_has_exactly_one_open_suicide_risk_alert_and_due_items(demo):
    alerts = Alert.objects.filter(clinic=demo.clinic, kind="suicide_risk", acknowledged_at__isnull=True)
    assert alerts.count() == 1 and alerts.get().level == "critical"
    assert len(queries.due_items(demo.clinic, datetime.now(UTC))) > 0


def test_demo_responders_fall_at_least_30_percent_and_non_responders_do_not(demo):
    finished = [dp for dp in demo.by_stage("finished", "follow_up") if dp.course is not None]
    outcomes = [(dp, pcl5_outcome(dp)) for dp in finished]
    assert all(o is not None for _, o in outcomes)
    for dp, outcome in outcomes:
        assert outcome.responder == dp.responder, dp.patient.mrn
    losses = [dp for dp, o in outcomes if o.loss_of_response_at is not None]
    assert len(losses) == 1 and losses[0].stage == "follow_up"


def test_the_chart_prompts_a_review_and_names_the_loss_of_response(demo):
    from django.test import Client

    client = Client()
    client.force_login(demo.users["prescriber"])
    non_responder = next(dp for dp in demo.by_stage("finished") if not dp.responder)
    body = client.get(f"/patients/{non_responder.patient.pk}/").content.decode()
    assert "Review this course:</strong> no response on PCL-5" in body and "after 3 infusions" in body
    loser = next(dp for dp in demo.by_stage("follow_up") if pcl5_outcome(dp).loss_of_response_at)
    body = client.get(f"/measures/patients/{loser.patient.pk}/").content.decode()
    assert "Loss of response" in body and "Definitions in force" in body
