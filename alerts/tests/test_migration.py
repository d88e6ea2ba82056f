"""Moving Alert from infusions to alerts keeps its table and every row (SeparateDatabaseAndState)."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from alerts.models import Alert

BEFORE = [("alerts", None), ("infusions", "0002_chairside")]


@pytest.mark.django_db(transaction=True)
def test_alert_rows_written_before_the_move_are_alerts_after_it(world):
    from ketacare.testing import make_course

    patient = make_course(world).patient
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state([("infusions", "0002_chairside")]).apps.get_model("infusions", "Alert")
    raised_at = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
    row = old.objects.create(clinic_id=world.a.pk, patient_id=patient.pk, kind="suicide_risk", level="critical",
                             rule="phq9_item9", value="2", threshold="> 0", message="PHQ-9 item 9", raised_at=raised_at)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    moved = Alert.objects.get(pk=row.pk)
    assert (moved.clinic_id, moved.patient_id, moved.rule, moved.threshold) == (world.a.pk, patient.pk, "phq9_item9", "> 0")
    assert moved.raised_at == raised_at and moved.is_open and list(moved.deliveries.all()) == []
