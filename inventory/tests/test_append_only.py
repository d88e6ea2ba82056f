"""Nothing in the ledger can be changed or removed by the application, and the database refuses UPDATE too."""

from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction

from inventory import services
from inventory.models import Count, Discrepancy, DiscrepancyResolution, Inventory, LedgerEntry
from inventory.services import CountLine

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(world, stock):
    count = services.record_count(line=CountLine(stock.lot, stock.safe, sealed_containers=4), by=world.nurse)
    services.resolve_discrepancy(discrepancy=Discrepancy.objects.get(), explanation="A vial was in transit.",
                                 by=stock.officer)
    services.take_inventory(clinic=world.a, kind="initial", business_time="close",
                            lines=[CountLine(stock.lot, stock.safe, sealed_containers=5)], by=stock.officer)
    return [stock.receipt, count, Discrepancy.objects.first(), DiscrepancyResolution.objects.first(), Inventory.objects.first()]


def test_ledger_rows_cannot_be_saved_again_or_deleted(rows):
    for row in rows:
        with pytest.raises(PermissionError):
            row.save()
        with pytest.raises(PermissionError):
            row.delete()


@pytest.mark.parametrize("model", [LedgerEntry, Count, Discrepancy, DiscrepancyResolution, Inventory])
def test_ledger_querysets_refuse_update_and_delete(rows, model):
    with pytest.raises(PermissionError):
        model.objects.all().update(note="x") if model is LedgerEntry else model.objects.all().update(pk=1)
    with pytest.raises(PermissionError):
        model.objects.all().delete()
    with pytest.raises(PermissionError):
        model.objects.in_clinic(rows[0].clinic).delete()


def test_the_database_refuses_an_update_statement_on_entries(rows):
    entry = rows[0]
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE inventory_ledgerentry SET quantity_ml = %s WHERE id = %s", ["1.00", entry.pk])
    assert LedgerEntry.objects.get(pk=entry.pk).quantity_ml == Decimal("50.00")


def test_a_correction_leaves_the_original_entry_as_written(world, stock):
    services.correct_entry(entry=stock.receipt, corrected=Decimal(40), reason="One vial short", by=stock.officer)
    original = LedgerEntry.objects.get(pk=stock.receipt.pk)
    assert (original.quantity_ml, original.balance_after_ml) == (Decimal("50.00"), Decimal("50.00"))
    assert original.corrections.get().corrected_ml == Decimal("40.00")
