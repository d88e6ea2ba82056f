"""The ledger's stored rows (session totals, lot balances) equal a replay of its entries (ADR 0013)."""

from decimal import Decimal

import pytest

from inventory import readmodel, services
from inventory.models import LotBalance, SessionLedger
from inventory.queries import balance_ml
from inventory.reconciliation import reconcile, summary
from ketacare.testing import demo_rolled_back

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with demo_rolled_back(django_db_blocker, seed=3) as ctx:
        yield ctx


def test_the_demo_ledgers_stored_totals_and_balances_equal_a_replay(demo):
    assert SessionLedger.objects.in_clinic(demo.clinic).exists() and LotBalance.objects.in_clinic(demo.clinic).exists()
    assert readmodel.check(demo.clinic) == []
    for row in LotBalance.objects.in_clinic(demo.clinic).select_related("lot", "location"):
        assert row.ml == balance_ml(row.lot, row.location)


def test_the_summary_counts_what_the_full_report_lists(demo):
    full, short = reconcile(demo.clinic, check_integrity=False), summary(demo.clinic)
    assert short.failing == len(full.failing)
    assert short.open_discrepancies == full.open_discrepancies
    assert [(b.lot.pk, b.location.pk, b.ml) for b in short.balances] == [(b.lot.pk, b.location.pk, b.ml) for b in full.balances]


def test_draw_give_waste_and_correction_keep_the_session_line(world, stock, session, people):
    services.draw_for_session(session=session, container=stock.vials[0], ml=D(4), by=people.nurse)
    line = SessionLedger.objects.get(session=session)
    assert (line.drawn_mg, line.administered_mg, line.given) == (D(40), D(0), False)
    given = services.record_administration(session=session, mg=D(35), by=people.nurse)
    line.refresh_from_db()
    assert (line.administered_mg, line.difference_mg, line.unaccounted_mg, line.given) == (D(35), D(5), D(5), True)
    assert summary(world.a).failing == 1
    services.correct_entry(entry=given[0], corrected=D(40), reason="Pump record shows the whole dose", by=people.officer)
    line.refresh_from_db()
    assert (line.administered_mg, line.difference_mg) == (D(40), D(0))
    assert summary(world.a).failing == 0
    assert readmodel.check(world.a) == []


def test_the_check_finds_a_stale_balance(world, stock, session, people):
    services.draw_for_session(session=session, container=stock.vials[0], ml=D(4), by=people.nurse)
    LotBalance.objects.filter(lot=stock.lot).update(ml=D("999.00"))
    assert any("stored balance" in p for p in readmodel.check(world.a))
    readmodel.rebuild(world.a)
    assert readmodel.check(world.a) == []
