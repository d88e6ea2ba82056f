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
