"""A clinic's ordinary concurrent load finishes with no error, on SQLite and on PostgreSQL.

Real threads, each with its own connection, type vitals, file monitor messages through the HL7
filing service, acknowledge alerts, draw from the ledger and read charts for a few seconds. Before
the lock order of ADR 0008 this load met "deadlock detected" on PostgreSQL within a second.
"""

import pytest
from django.core.management import call_command

from audit.models import AuditEvent
from infusions.models import VitalSign
from inventory.models import LedgerEntry
from ketacare.workload import KINDS, build_floor, run_load

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]


def test_the_mixed_clinic_load_meets_no_deadlock_and_no_error(world, capsys):
    floor = build_floor(world)
    vitals_before, draws_before = VitalSign.objects.count(), LedgerEntry.objects.filter(kind="draw").count()

    outcome = run_load(floor, seconds=3.0, max_seconds=30.0)

    assert outcome.errors == [], outcome.errors[:10]
    assert all(outcome.done[kind] > 0 for kind in KINDS), outcome.done
    written = outcome.done["vitals"] + outcome.done["monitor"]
    assert VitalSign.objects.count() - vitals_before == written
    assert LedgerEntry.objects.filter(kind="draw").count() - draws_before == outcome.done["draw"]
    call_command("audit", "verify")
    assert "intact" in capsys.readouterr().out
    assert AuditEvent.objects.filter(action="vitals_record").count() >= outcome.done["vitals"]


@pytest.mark.postgres_only
@pytest.mark.django_db
@pytest.mark.parametrize("preloaded", [True, False], ids=["relations-loaded", "bare-session"])
def test_the_session_lock_takes_the_session_row_only_never_its_clinic(world, preloaded):
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from infusions.models import InfusionSession
    from infusions.services.common import locked
    from infusions.tests.helpers import infusing

    if connection.vendor != "postgresql":
        pytest.skip("SQLite takes no row locks; it serialises writers")
    session = infusing(world)
    if not preloaded:
        session = InfusionSession.objects.get(pk=session.pk)
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        locked(session)
    locks = [q["sql"] for q in queries.captured_queries if "FOR " in q["sql"]]
    assert len(locks) == 1
    assert locks[0].endswith('FOR NO KEY UPDATE OF "infusions_infusionsession"'), locks[0][-120:]
