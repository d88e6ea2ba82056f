"""The database itself refuses impossible ledger rows, even when a write bypasses the services."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from inventory.models import Container, LedgerEntry, Product

pytestmark = pytest.mark.django_db


def _entry(stock, **changes):
    r = stock.receipt
    values = {"clinic": r.clinic, "kind": "draw", "lot": r.lot, "location": r.location, "unit": "mL",
              "quantity_ml": Decimal("1"), "quantity_mg": Decimal("10"), "balance_after_ml": Decimal("49"),
              "actor": r.actor, "at": r.at, **changes}
    return LedgerEntry.objects.create(**values)


def test_a_well_formed_entry_is_accepted(stock):
    assert _entry(stock).pk is not None


@pytest.mark.parametrize("changes", [
    {"quantity_ml": Decimal("-1")}, {"quantity_mg": Decimal("-10")},
    {"balance_after_ml": Decimal("-0.01")}, {"to_balance_after_ml": Decimal("-5")},
    {"kind": "gift"}, {"kind": "return"},  # a kernel kind the app does not record yet
    {"kind": "correction", "corrected_ml": Decimal("-2")},
])
def test_the_database_refuses_a_bad_ledger_entry(stock, changes):
    with pytest.raises(IntegrityError), transaction.atomic():
        _entry(stock, **changes)


def test_only_a_correction_may_carry_a_negative_amount(stock):
    entry = _entry(stock, kind="correction", quantity_ml=Decimal("-1"), quantity_mg=Decimal("-10"),
                   corrects=stock.receipt, corrected_ml=Decimal("49"), corrected_mg=Decimal("490"))
    assert entry.quantity_ml == Decimal("-1")


@pytest.mark.parametrize(("field", "value"), [("strength_mg_per_ml", Decimal("0")), ("container_ml", Decimal("-10"))])
def test_the_database_refuses_a_product_without_a_strength_or_volume(stock, field, value):
    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.filter(pk=stock.product.pk).update(**{field: value})


def test_the_database_refuses_an_unknown_vial_state(stock):
    with pytest.raises(IntegrityError), transaction.atomic():
        Container.objects.filter(pk=stock.vials[0].pk).update(state="borrowed")
