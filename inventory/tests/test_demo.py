"""The demo ledger: a stocked safe, finished sessions that reconcile, an initial inventory, one open discrepancy."""

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from accounts.demo import DemoContext, DemoPatient
from inventory import demo
from inventory.models import Inventory, LedgerEntry, Supplier
from inventory.reconciliation import reconcile
from ketacare.testing import PASSWORD, make_chair, make_course, make_session, next_weekday_at

pytestmark = pytest.mark.django_db


def context(world, sessions):
    now = datetime.now(UTC)
    ctx = DemoContext(clinic=world.a, users=dict(world.users), passwords={u.username: PASSWORD for u in world.users.values()},
                      now=now, rng=random.Random(1))
    ctx.patients = [DemoPatient(patient=s.patient, stage="finished", sessions=[s]) for s in sessions]
    return ctx


def finished_sessions(world, count):
    from infusions.models import InfusionSession

    chair = make_chair(world)
    sessions = [make_session(world, next_weekday_at(datetime.now(UTC)) + timedelta(days=7 * i), chair=chair,
                             course=make_course(world, mrn=f"T-DEMO-{i}")) for i in range(count)]
    for i, s in enumerate(sessions):
        # Test shortcut: the infusions demo leaves sessions discharged with their dose; set that state directly here.
        InfusionSession.objects.filter(pk=s.pk).update(
            state="discharged", total_mg=Decimal("35.00") + i, scheduled_start=datetime.now(UTC) - timedelta(days=10 - i))
    return sessions


def test_the_demo_ledger_reconciles_every_finished_session_and_leaves_one_discrepancy(world):
    ctx = context(world, finished_sessions(world, 3))
    demo.build(ctx)
    for step in ctx.after:
        step()
    rec = reconcile(world.a)
    assert [s.status for s in rec.sessions] == ["reconciled"] * 3
    assert len(rec.open_discrepancies) == 1 and not rec.failing and not rec.ledger_problems
    assert Inventory.objects.get(clinic=world.a).kind == "initial"
    assert LedgerEntry.objects.filter(kind="waste", witness__username="nurse2").exists()
    assert Supplier.objects.get(clinic=world.a).dea_number == "AB1234563"


def test_the_demo_ledger_builds_with_no_sessions_at_all(world):
    ctx = context(world, [])
    demo.build(ctx)
    for step in ctx.after:
        step()
    rec = reconcile(world.a)
    assert rec.balances and len(rec.open_discrepancies) == 1 and not rec.ledger_problems
