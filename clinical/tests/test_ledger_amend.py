"""Tests of ledger corrections, lot allocation and DEA number checks (CLINICAL.md section 6)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinical.errors import ClinicalError
from clinical.ledger.allocate import allocate_to_lots
from clinical.ledger.amend import CorrectionIn, plan_correction
from clinical.ledger.entries import EntryKind, LotInfo, Unit
from clinical.ledger.registrants import check_dea_number

D = Decimal
K = EntryKind
LOT = LotInfo(strength_mg_per_ml=D(10), expires_on=date(2027, 1, 1), container_ml=D(10))
SAFE = ("L1", "safe")


def fix(kind: EntryKind, recorded: str, corrected: str, **extra: object) -> CorrectionIn:
    unit = Unit.MG if kind in (K.ADMINISTRATION, K.WASTE) else Unit.ML
    values: dict[str, Any] = {"kind": kind, "lot": "L1", "location": "safe", "unit": unit,
                                 "recorded": D(recorded), "corrected": D(corrected), "reason": "typo"}
    values.update(extra)
    return CorrectionIn(**values)


CHANGES = [
    # (what, correction, balances, expected change mL, change mg, stock deltas)
    ("draw was larger", fix(K.DRAW, "3.00", "3.50", container_taken_ml=D(3)), {SAFE: D(97)},
     "0.50", "5.00", [("safe", "-0.50", "96.50")]),
    ("draw never happened", fix(K.DRAW, "3.00", "0", container_taken_ml=D(3)), {SAFE: D(97)},
     "-3.00", "-30.00", [("safe", "3.00", "100.00")]),
    ("receipt was one vial less", fix(K.RECEIPT, "100", "90"), {SAFE: D(100)},
     "-10.00", "-100.00", [("safe", "-10.00", "90.00")]),
    ("loss was smaller", fix(K.LOSS_OR_THEFT, "2", "1"), {SAFE: D(10)},
     "-1.00", "-10.00", [("safe", "1.00", "11.00")]),
    ("administration was less", fix(K.ADMINISTRATION, "35", "30"), {}, "-0.50", "-5.00", []),
    ("waste was more", fix(K.WASTE, "5", "6.5"), {}, "0.15", "1.50", []),
    ("transfer was larger", fix(K.TRANSFER, "10", "20", to_location="cart"), {SAFE: D(90), ("L1", "cart"): D(10)},
     "10.00", "100.00", [("safe", "-10.00", "80.00"), ("cart", "10.00", "20.00")]),
]


@pytest.mark.parametrize(("what", "correction", "balances", "ml", "mg", "deltas"), CHANGES,
                         ids=[c[0] for c in CHANGES])
def test_a_correction_changes_stock_by_the_difference_it_states(
    what: str, correction: CorrectionIn, balances: dict[tuple[str, str], Decimal], ml: str, mg: str,
    deltas: list[tuple[str, str, str]],
) -> None:
    planned = plan_correction(correction, balances=balances, lot=LOT)
    assert (planned.change.ml, planned.change.mg) == (D(ml), D(mg))
    assert [(d.location, d.delta_ml, d.balance_after.ml) for d in planned.deltas] == [
        (loc, D(change), D(after)) for loc, change, after in deltas
    ]


def test_a_correction_reports_the_amount_in_force_after_it() -> None:
    planned = plan_correction(fix(K.ADMINISTRATION, "35", "30"), balances={}, lot=LOT)
    assert (planned.corrected.mg, planned.corrected.ml) == (D("30"), D("3.00"))


REFUSED = [
    ("a count", fix(K.COUNT, "10", "9"), {}, "count records what was found"),
    ("a correction", fix(K.CORRECTION, "1", "2"), {}, "original entry"),
    ("no change", fix(K.DRAW, "3", "3.00", container_taken_ml=D(3)), {SAFE: D(9)}, "must change it"),
    ("no reason", fix(K.DRAW, "3", "2", reason="  ", container_taken_ml=D(3)), {SAFE: D(9)}, "reason"),
    ("negative amount", fix(K.DRAW, "3", "-1", container_taken_ml=D(3)), {SAFE: D(9)}, "cannot be negative"),
    ("finer than 0.01", fix(K.DRAW, "3", "2.005", container_taken_ml=D(3)), {SAFE: D(9)}, "0.01 mL"),
    ("stock in mg", fix(K.DRAW, "3", "2", unit=Unit.MG), {SAFE: D(9)}, "in mL, not mg"),
    ("balance below zero", fix(K.DRAW, "1", "5", container_taken_ml=D(1)), {SAFE: D(2)}, "below zero"),
    ("more than the container", fix(K.DRAW, "6", "11", container_taken_ml=D(6)), {SAFE: D(50)}, "holds 10"),
    ("receipt of part of a vial", fix(K.RECEIPT, "100", "95"), {SAFE: D(100)}, "whole containers"),
    ("receipt already used", fix(K.RECEIPT, "100", "90"), {SAFE: D(5)}, "below zero"),
    ("transfer with no destination", fix(K.TRANSFER, "1", "2"), {SAFE: D(9)}, "went to"),
    ("transfer back beyond stock", fix(K.TRANSFER, "10", "2", to_location="cart"),
     {SAFE: D(0), ("L1", "cart"): D(3)}, "below zero"),
]


@pytest.mark.parametrize(("what", "correction", "balances", "message"), REFUSED, ids=[r[0] for r in REFUSED])
def test_plan_correction_refuses_with_a_clear_message(
    what: str, correction: CorrectionIn, balances: dict[tuple[str, str], Decimal], message: str
) -> None:
    with pytest.raises(ClinicalError, match=message):
        plan_correction(correction, balances=balances, lot=LOT)


@given(st.decimals(min_value=0, max_value=100, places=2), st.decimals(min_value=0, max_value=100, places=2))
def test_a_draw_correction_moves_stock_opposite_to_the_change_in_amount(recorded: Decimal, corrected: Decimal) -> None:
    correction = fix(K.DRAW, str(recorded), str(corrected), container_taken_ml=D(0))
    lot = LotInfo(strength_mg_per_ml=D(10), expires_on=date(2027, 1, 1), container_ml=D(500))
    try:
        planned = plan_correction(correction, balances={SAFE: D(1000)}, lot=lot)
    except ClinicalError:
        assert recorded == corrected
        return
    (delta,) = planned.deltas
    assert delta.delta_ml == recorded - corrected
    assert delta.balance_after.ml == D(1000) + recorded - corrected


# --- allocation over lots ------------------------------------------------------------------------

ALLOCATIONS = [
    ("one lot", "35", [("A", "40")], [("A", "35")]),
    ("fills the first lot first", "45", [("A", "40"), ("B", "40")], [("A", "40"), ("B", "5")]),
    ("skips an accounted lot", "5", [("A", "0"), ("B", "40")], [("B", "5")]),
    ("overflow goes to the last lot", "50", [("A", "20"), ("B", "20")], [("A", "20"), ("B", "30")]),
    ("nothing open left", "5", [("A", "0")], [("A", "5")]),
]


@pytest.mark.parametrize(("what", "amount", "open_mg", "expected"), ALLOCATIONS, ids=[a[0] for a in ALLOCATIONS])
def test_allocation_charges_lots_first_drawn_first(
    what: str, amount: str, open_mg: list[tuple[str, str]], expected: list[tuple[str, str]]
) -> None:
    got = allocate_to_lots(D(amount), [(lot, D(mg)) for lot, mg in open_mg])
    assert got == tuple((lot, D(mg)) for lot, mg in expected)


@pytest.mark.parametrize(("amount", "open_mg", "message"), [
    ("5", [], "Nothing was drawn"), ("0", [("A", D(5))], "above 0"), ("1.001", [("A", D(5))], "0.01 mg"),
])
def test_allocation_refuses_bad_input(amount: str, open_mg: list[tuple[str, Decimal]], message: str) -> None:
    with pytest.raises(ClinicalError, match=message):
        allocate_to_lots(D(amount), open_mg)


@given(st.decimals(min_value=D("0.01"), max_value=500, places=2),
       st.lists(st.decimals(min_value=-10, max_value=200, places=2), min_size=1, max_size=4))
def test_allocation_always_charges_exactly_the_amount(amount: Decimal, open_amounts: list[Decimal]) -> None:
    shares = allocate_to_lots(amount, [(f"L{i}", mg) for i, mg in enumerate(open_amounts)])
    assert sum(mg for _, mg in shares) == amount
    assert all(mg > 0 for _, mg in shares)


# --- DEA numbers ---------------------------------------------------------------------------------

@pytest.mark.parametrize("number", ["AB1234563", "ab1234563", " FA1234563 ", "A91234563"])
def test_a_well_formed_dea_number_is_accepted_in_capitals(number: str) -> None:
    assert check_dea_number(number) == number.strip().upper()


@pytest.mark.parametrize(("number", "message"), [
    ("AB1234564", "check digit"), ("AB123456", "two letters and seven digits"),
    ("1B1234563", "two letters"), ("", "two letters"),
])
def test_a_malformed_dea_number_is_refused(number: str, message: str) -> None:
    with pytest.raises(ClinicalError, match=message):
        check_dea_number(number)


# --- inventories ---------------------------------------------------------------------------------

def test_the_first_inventory_must_be_the_initial_one() -> None:
    from clinical.ledger.inventories import InventoryKind, check_inventory_kind

    check_inventory_kind(InventoryKind.INITIAL, None)
    with pytest.raises(ClinicalError, match="initial inventory first"):
        check_inventory_kind(InventoryKind.BIENNIAL, None)


def test_a_second_initial_inventory_is_refused_but_a_biennial_one_is_taken() -> None:
    from clinical.ledger.inventories import InventoryKind, check_inventory_kind

    check_inventory_kind(InventoryKind.BIENNIAL, date(2026, 1, 1))
    with pytest.raises(ClinicalError, match="biennial"):
        check_inventory_kind(InventoryKind.INITIAL, date(2026, 1, 1))


def test_an_inventory_must_cover_every_place_holding_stock() -> None:
    from clinical.ledger.inventories import check_inventory_complete

    book = {("L1", "safe"): D(10), ("L1", "cart"): D(0), ("L2", "safe"): D(5)}
    check_inventory_complete(book, [("L1", "safe"), ("L2", "safe")])
    with pytest.raises(ClinicalError, match="missing: lot L2 at safe"):
        check_inventory_complete(book, [("L1", "safe")])
    with pytest.raises(ClinicalError, match="counted twice"):
        check_inventory_complete(book, [("L1", "safe"), ("L1", "safe"), ("L2", "safe")])
