"""Tests of the Schedule III ledger rules (CLINICAL.md section 6). Synthetic data only."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clinical.errors import ClinicalError
from clinical.ledger import (
    Balance,
    BalanceKey,
    EntryKind,
    InvalidEntryError,
    LedgerEntryIn,
    LedgerPolicy,
    LotInfo,
    SessionAmount,
    Unit,
    apply,
    count_discrepancy,
    describe_balances,
    inventory_due,
    mg_from_ml,
    ml_from_mg,
    purge_allowed,
    quantity_of,
    reconcile_entries,
    reconcile_sessions,
    replay,
    retained_until,
    validate_entry,
)

D = Decimal
K = EntryKind
TODAY = date(2026, 1, 15)
LOT = LotInfo(strength_mg_per_ml=D(50), expires_on=date(2026, 6, 30), container_ml=D(10))
LOTS = {"L1": LOT}
SAFE = ("L1", "safe")


def entry(kind: EntryKind, quantity: str | int, **details: Any) -> LedgerEntryIn:
    """Build an entry of lot L1 in the safe, by nurse-a today, with the details a kind needs."""
    needs: dict[EntryKind, dict[str, Any]] = {
        K.RECEIPT: {"supplier_ref": "SUP-1", "containers": 10},
        K.DRAW: {"container_id": "V1", "session_ref": "S1"},
        K.ADMINISTRATION: {"session_ref": "S1", "patient_ref": "P1", "unit": Unit.MG},
        K.WASTE: {"session_ref": "S1", "witness_ids": ("nurse-b",), "unit": Unit.MG},
        K.DESTRUCTION: {"witness_ids": ("w1", "w2"), "method": "denaturing kit", "place": "clinic"},
        K.LOSS_OR_THEFT: {"report_ref": "DEA-106-0001"},
        K.TRANSFER: {"to_location": "cart"},
        K.CORRECTION: {"corrects_entry_id": "E7", "reason": "miscount transcribed"},
    }
    fields: dict[str, Any] = {
        "lot": "L1",
        "location": "safe",
        "actor_id": "nurse-a",
        "occurred_on": TODAY,
        **needs.get(kind, {}),
        **details,
    }
    return LedgerEntryIn(kind=kind, quantity=D(quantity), **fields)


RECEIVE_100 = entry(K.RECEIPT, 100)


def balances_of(entries: Sequence[LedgerEntryIn]) -> list[Balance]:
    return describe_balances(replay(entries, LOTS), LOTS)


# --- worked examples: balances after a sequence --------------------------------------------------

WORKED = [
    # (what, entries after receiving 10 vials x 10 mL at 50 mg/mL, expected (location, mL, mg))
    ("receipt alone", [], [("safe", "100.00", "5000.00")]),
    ("a 0.8 mL draw", [entry(K.DRAW, "0.80")], [("safe", "99.20", "4960.00")]),
    (
        "administration and waste move no stock",
        [entry(K.DRAW, "0.80"), entry(K.ADMINISTRATION, "35"), entry(K.WASTE, "5")],
        [("safe", "99.20", "4960.00")],
    ),
    ("destruction of a vial", [entry(K.DESTRUCTION, 10)], [("safe", "90.00", "4500.00")]),
    ("a loss", [entry(K.LOSS_OR_THEFT, "1.5")], [("safe", "98.50", "4925.00")]),
    ("a transfer", [entry(K.TRANSFER, 20)], [("cart", "20.00", "1000.00"), ("safe", "80.00", "4000.00")]),
    ("a negative correction", [entry(K.CORRECTION, "-0.5")], [("safe", "99.50", "4975.00")]),
    ("a positive correction", [entry(K.CORRECTION, "0.3")], [("safe", "100.30", "5015.00")]),
    ("an unopened vial returned", [entry(K.RETURN, 10)], [("safe", "110.00", "5500.00")]),
    ("a count", [entry(K.COUNT, "99")], [("safe", "100.00", "5000.00")]),
    ("a draw of everything", [entry(K.DRAW, 10, container_id=f"V{i}") for i in range(10)], [("safe", "0.00", "0.00")]),
]


@pytest.mark.parametrize(("what", "entries", "expected"), WORKED, ids=[w[0] for w in WORKED])
def test_ledger_worked_examples_give_the_expected_balances(
    what: str, entries: list[LedgerEntryIn], expected: list[tuple[str, str, str]]
) -> None:
    got = balances_of([RECEIVE_100, *entries])
    assert got == [Balance("L1", loc, D(ml), D(mg)) for loc, ml, mg in expected]


def test_receipt_of_ten_vials_reports_quantity_and_balance_after() -> None:
    movement = validate_entry(RECEIVE_100, balances={}, lot=LOT, today=TODAY)
    assert (movement.quantity.ml, movement.quantity.mg) == (D("100.00"), D("5000.00"))
    (delta,) = movement.deltas
    assert delta.delta_ml == D(100)
    assert delta.balance_after == Balance("L1", "safe", D(100), D("5000.00"))


def test_draw_reports_its_mg_and_the_balance_after() -> None:
    movement = validate_entry(entry(K.DRAW, "0.80"), balances={SAFE: D(100)}, lot=LOT, today=TODAY)
    assert movement.quantity.mg == D("40.00")
    assert [(d.delta_ml, d.balance_after.ml, d.balance_after.mg) for d in movement.deltas] == [
        (D("-0.80"), D("99.20"), D("4960.00"))
    ]


@pytest.mark.parametrize("kind", [K.ADMINISTRATION, K.WASTE, K.COUNT])
def test_entries_that_move_no_stock_have_no_deltas(kind: EntryKind) -> None:
    movement = validate_entry(entry(kind, "5"), balances={SAFE: D(100)}, lot=LOT, today=TODAY)
    assert movement.deltas == ()


# --- quantities and rounding ------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("ml", "strength", "mg"),
    [("0.80", "50", "40.00"), ("10.00", "100", "1000.00"), ("0.01", "0.5", "0.01"), ("0.03", "0.5", "0.02")],
)
def test_mg_from_ml_multiplies_by_strength_and_rounds_half_up(ml: str, strength: str, mg: str) -> None:
    assert mg_from_ml(D(ml), D(strength)) == D(mg)


@pytest.mark.parametrize(
    ("mg", "strength", "ml"),
    [("36.3", "50", "0.73"), ("0.25", "50", "0.01"), ("0.24", "50", "0.00"), ("35", "50", "0.70")],
)
def test_ml_from_mg_divides_by_strength_and_rounds_half_up(mg: str, strength: str, ml: str) -> None:
    assert ml_from_mg(D(mg), D(strength)) == D(ml)


def test_administration_recorded_in_mg_keeps_its_mg_and_derives_ml() -> None:
    quantity = quantity_of(entry(K.ADMINISTRATION, "36.3"), LOT)
    assert (quantity.mg, quantity.ml) == (D("36.30"), D("0.73"))


# --- refusals -----------------------------------------------------------------------------------

REFUSED = [
    ("overdraw", entry(K.DRAW, "6"), {SAFE: D(5)}, "cannot go below zero"),
    ("draw with no stock there", entry(K.DRAW, "1"), {}, "holds 0"),
    ("destruction beyond stock", entry(K.DESTRUCTION, "6"), {SAFE: D(5)}, "below zero"),
    ("loss beyond stock", entry(K.LOSS_OR_THEFT, "6"), {SAFE: D(5)}, "below zero"),
    ("transfer beyond stock", entry(K.TRANSFER, "6"), {SAFE: D(5)}, "below zero"),
    ("correction beyond stock", entry(K.CORRECTION, "-6"), {SAFE: D(5)}, "below zero"),
    ("zero draw", entry(K.DRAW, "0"), {SAFE: D(5)}, "must be positive"),
    ("negative draw", entry(K.DRAW, "-1"), {SAFE: D(5)}, "must be positive"),
    ("negative receipt", entry(K.RECEIPT, "-100"), {}, "must be positive"),
    ("negative count", entry(K.COUNT, "-1"), {}, "cannot be negative"),
    ("zero correction", entry(K.CORRECTION, "0"), {}, "non-zero"),
    ("finer than 0.01 mL", entry(K.DRAW, "0.805"), {SAFE: D(5)}, "to 0.01 mL"),
    ("finer than 0.01 mg", entry(K.ADMINISTRATION, "36.125"), {}, "to 0.01 mg"),
    ("stock moved in mg", entry(K.DRAW, "40", unit=Unit.MG), {SAFE: D(5)}, "recorded in mL"),
    ("draw larger than the container", entry(K.DRAW, "10.5"), {SAFE: D(50)}, "more than it holds"),
    ("containers disagree with mL", entry(K.RECEIPT, 90), {}, "hold 100 mL, not the 90"),
    ("no containers received", entry(K.RECEIPT, 100, containers=0), {}, "at least 1 container"),
    ("receipt without supplier", entry(K.RECEIPT, 100, supplier_ref=None), {}, "supplier"),
    ("administration without patient", entry(K.ADMINISTRATION, "35", patient_ref=" "), {}, "the patient"),
    ("administration without session", entry(K.ADMINISTRATION, "35", session_ref=None), {}, "session"),
    ("draw without container", entry(K.DRAW, "1", container_id=None), {SAFE: D(5)}, "container"),
    ("loss without report", entry(K.LOSS_OR_THEFT, "1", report_ref=None), {SAFE: D(5)}, "Form 106"),
    ("destruction without method", entry(K.DESTRUCTION, "1", method=""), {SAFE: D(5)}, "method"),
    ("destruction without place", entry(K.DESTRUCTION, "1", place=None), {SAFE: D(5)}, "place"),
    ("transfer to itself", entry(K.TRANSFER, "1", to_location="safe"), {SAFE: D(5)}, "to itself"),
    ("transfer to nowhere", entry(K.TRANSFER, "1", to_location=None), {SAFE: D(5)}, "goes to"),
    ("correction pointing nowhere", entry(K.CORRECTION, "1", corrects_entry_id=None), {}, "entry it corrects"),
    ("correction without reason", entry(K.CORRECTION, "1", reason=None), {}, "reason"),
    ("destination on a draw", entry(K.DRAW, "1", to_location="cart"), {SAFE: D(5)}, "belongs on a transfer"),
    ("estimated receipt", entry(K.RECEIPT, 100, estimated=True), {}, "Only a count"),
    ("nobody recording", entry(K.RETURN, "1", actor_id=""), {}, "who recorded it"),
    ("future date", entry(K.RETURN, "1", occurred_on=TODAY + timedelta(days=1)), {}, "in the future"),
]


@pytest.mark.parametrize(("what", "bad", "balances", "message"), REFUSED, ids=[r[0] for r in REFUSED])
def test_validate_entry_refuses_invalid_entries_with_a_clear_message(
    what: str, bad: LedgerEntryIn, balances: dict[BalanceKey, Decimal], message: str
) -> None:
    with pytest.raises(ClinicalError, match=message):
        validate_entry(bad, balances=balances, lot=LOT, today=TODAY)


def test_draw_on_the_expiry_day_is_allowed() -> None:
    on_expiry = entry(K.DRAW, "1", occurred_on=LOT.expires_on)
    movement = validate_entry(on_expiry, balances={SAFE: D(5)}, lot=LOT, today=LOT.expires_on)
    assert movement.deltas[0].balance_after.ml == D(4)


def test_draw_from_an_expired_lot_is_refused() -> None:
    late = LOT.expires_on + timedelta(days=1)
    with pytest.raises(ClinicalError, match="expired on 2026-06-30"):
        validate_entry(entry(K.DRAW, "1", occurred_on=late), balances={SAFE: D(5)}, lot=LOT, today=late)


def test_expired_lot_may_still_be_moved_to_quarantine_and_destroyed() -> None:
    late = LOT.expires_on + timedelta(days=1)
    moved = [entry(K.TRANSFER, 10, to_location="quarantine", occurred_on=late)]
    destroyed = [entry(K.DESTRUCTION, 10, location="quarantine", occurred_on=late)]
    assert replay([RECEIVE_100, *moved, *destroyed], LOTS) == {SAFE: D(90), ("L1", "quarantine"): D(0)}


def test_second_draw_from_a_container_may_not_exceed_what_it_still_holds() -> None:
    with pytest.raises(ClinicalError, match="holds 2.00 mL"):
        validate_entry(
            entry(K.DRAW, "2.5"), balances={SAFE: D(50)}, lot=LOT, today=TODAY,
            drawn_from_container_ml=D("8.00"),
        )


def test_replay_tracks_what_each_container_has_given() -> None:
    draws = [entry(K.DRAW, "6"), entry(K.DRAW, "4"), entry(K.DRAW, "0.01")]
    with pytest.raises(InvalidEntryError, match="more than it holds") as caught:
        replay([RECEIVE_100, *draws], LOTS)
    assert caught.value.index == 3


# --- witnesses ---------------------------------------------------------------------------------------

WITNESSES = [
    # (kind, actor, witnesses, refusal message or None if accepted)
    (K.WASTE, "nurse-a", ("nurse-b",), None),
    (K.WASTE, "nurse-a", (), "needs 1 witness other than"),
    (K.WASTE, "nurse-a", ("nurse-a",), "someone other than nurse-a"),
    (K.WASTE, "nurse-a", ("",), "blank witness"),
    (K.DESTRUCTION, "officer", ("w1", "w2"), None),
    (K.DESTRUCTION, "officer", ("w1", "w2", "w3"), None),
    (K.DESTRUCTION, "officer", ("w1",), "needs 2 witnesses"),
    (K.DESTRUCTION, "officer", ("w1", "w1"), "listed twice"),
    (K.DESTRUCTION, "officer", ("w1", "officer"), "someone other than officer"),
    (K.DRAW, "nurse-a", ("nurse-a",), "someone other than nurse-a"),
    (K.DRAW, "nurse-a", (), None),
]


@pytest.mark.parametrize(("kind", "actor", "witnesses", "message"), WITNESSES)
def test_witness_rules_for_waste_and_destruction(
    kind: EntryKind, actor: str, witnesses: tuple[str, ...], message: str | None
) -> None:
    candidate = entry(kind, "1", actor_id=actor, witness_ids=witnesses)
    if message is None:
        validate_entry(candidate, balances={SAFE: D(5)}, lot=LOT, today=TODAY)
    else:
        with pytest.raises(ClinicalError, match=message):
            validate_entry(candidate, balances={SAFE: D(5)}, lot=LOT, today=TODAY)


# --- transfer, apply, replay ----------------------------------------------------------------------------

def test_transfer_is_balance_neutral_overall() -> None:
    movement = validate_entry(entry(K.TRANSFER, "12.5"), balances={SAFE: D(100)}, lot=LOT, today=TODAY)
    assert sum(d.delta_ml for d in movement.deltas) == 0
    after = apply({SAFE: D(100)}, movement)
    assert after == {SAFE: D("87.5"), ("L1", "cart"): D("12.5")}
    assert sum(after.values()) == D(100)


def test_apply_returns_new_balances_and_leaves_the_input_alone() -> None:
    before = {SAFE: D(100)}
    movement = validate_entry(entry(K.DRAW, "1"), balances=before, lot=LOT, today=TODAY)
    assert apply(before, movement) == {SAFE: D(99)}
    assert before == {SAFE: D(100)}


def test_apply_refuses_a_movement_checked_against_other_balances() -> None:
    movement = validate_entry(entry(K.DRAW, "3"), balances={SAFE: D(100)}, lot=LOT, today=TODAY)
    with pytest.raises(ClinicalError, match="below zero"):
        apply({SAFE: D(2)}, movement)


def test_replay_names_the_first_refused_entry() -> None:
    entries = [RECEIVE_100, entry(K.DRAW, "1"), entry(K.WASTE, "1", witness_ids=()), entry(K.DRAW, "1")]
    with pytest.raises(InvalidEntryError, match=r"Entry 3 \(waste, 2026-01-15\): A waste needs") as caught:
        replay(entries, LOTS)
    assert (caught.value.index, caught.value.entry) == (2, entries[2])


def test_replay_refuses_an_unknown_lot() -> None:
    with pytest.raises(InvalidEntryError, match="Lot L9 is not on record"):
        replay([entry(K.RECEIPT, 100, lot="L9")], LOTS)


def test_replay_with_today_refuses_entries_after_it() -> None:
    with pytest.raises(InvalidEntryError, match="in the future"):
        replay([RECEIVE_100], LOTS, today=TODAY - timedelta(days=1))


def test_lot_with_non_positive_strength_is_refused() -> None:
    with pytest.raises(ClinicalError, match="strength_mg_per_ml"):
        LotInfo(strength_mg_per_ml=D(0), expires_on=TODAY, container_ml=D(10))


# --- counts ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("expected", "counted", "discrepancy"),
    [("100", "100", None), ("100.00", "99.50", "-0.50"), ("100", "100.2", "0.2"), ("0", "0", None), ("0", "1", "1")],
)
def test_count_discrepancy_is_counted_minus_expected_and_none_when_equal(
    expected: str, counted: str, discrepancy: str | None
) -> None:
    assert count_discrepancy(D(expected), D(counted)) == (None if discrepancy is None else D(discrepancy))


def test_count_discrepancy_refuses_negative_stock() -> None:
    with pytest.raises(ClinicalError, match="cannot be negative"):
        count_discrepancy(D(-1), D(0))


def test_count_entry_opens_a_discrepancy_in_ml_and_mg() -> None:
    counted = entry(K.COUNT, "99.60", estimated=True)
    movement = validate_entry(counted, balances={SAFE: D(100)}, lot=LOT, today=TODAY)
    assert movement.count is not None
    assert (movement.count.expected_ml, movement.count.counted_ml) == (D(100), D("99.60"))
    assert (movement.count.discrepancy_ml, movement.count.discrepancy_mg) == (D("-0.40"), D("-20.00"))
    assert movement.count.estimated


def test_count_that_agrees_opens_no_discrepancy() -> None:
    movement = validate_entry(entry(K.COUNT, "0"), balances={}, lot=LOT, today=TODAY)
    assert movement.count is not None
    assert (movement.count.discrepancy_ml, movement.count.discrepancy_mg) == (None, None)


# --- reconciliation --------------------------------------------------------------------------------

def amounts(*pairs: tuple[str | None, str]) -> list[SessionAmount]:
    return [SessionAmount(ref, D(mg)) for ref, mg in pairs]


RECONCILE = [
    # (what, drawn, given, wasted, returned, difference, ok)
    ("exact", "40", "35", "5", "0", "0", True),
    ("within tolerance", "40", "35", "4.6", "0", "0.4", True),
    ("at tolerance", "40", "35", "4.5", "0", "0.5", True),
    ("just outside tolerance", "40", "35", "4.49", "0", "0.51", False),
    ("waste not recorded", "40", "35", "0", "0", "5", False),
    ("more given than drawn", "40", "41", "0", "0", "-1", False),
    ("unused vial returned", "540", "35", "5", "500", "0", True),
]


@pytest.mark.parametrize(
    ("what", "drawn", "given", "wasted", "returned", "difference", "ok"), RECONCILE, ids=[r[0] for r in RECONCILE]
)
def test_session_reconciles_when_drawn_matches_given_wasted_and_returned_within_tolerance(
    what: str, drawn: str, given: str, wasted: str, returned: str, difference: str, ok: bool
) -> None:
    report = reconcile_sessions(
        amounts(("S1", drawn)), amounts(("S1", given)), amounts(("S1", wasted)), returns=amounts(("S1", returned))
    )
    (session,) = report.sessions
    assert (session.difference_mg, session.ok) == (D(difference), ok)
    assert report.failing == (() if ok else (session,))


def test_reconciliation_lists_draws_without_a_session_and_administrations_without_a_draw() -> None:
    report = reconcile_sessions(amounts((None, "40"), ("S1", "40")), amounts(("S1", "40"), ("S2", "30")), [])
    assert [(s.session_ref, s.drawn_mg, s.ok) for s in report.sessions] == [("S1", D(40), True), ("S2", D(0), False)]
    assert report.draws_without_session == (SessionAmount(None, D(40)),)
    assert not report.ok


def test_reconciliation_tolerance_is_a_clinic_setting() -> None:
    report = reconcile_sessions(amounts(("S1", "40")), amounts(("S1", "39.9")), [], tolerance_mg=D(0))
    assert not report.ok
    assert LedgerPolicy().reconciliation_tolerance_mg == D("0.5")


def test_reconciliation_refuses_negative_tolerance_and_administration_without_session() -> None:
    with pytest.raises(ClinicalError, match="tolerance"):
        reconcile_sessions([], [], [], tolerance_mg=D("-0.1"))
    with pytest.raises(ClinicalError, match="must name its infusion session"):
        reconcile_sessions([], amounts((None, "35")), [])


def test_reconcile_entries_uses_each_lot_strength() -> None:
    session = [entry(K.DRAW, "0.73"), entry(K.ADMINISTRATION, "36.3"), entry(K.RECEIPT, 100)]
    (result,) = reconcile_entries(session, LOTS).sessions
    assert (result.drawn_mg, result.administered_mg, result.difference_mg, result.ok) == (
        D("36.50"), D("36.30"), D("0.20"), True,
    )


# --- retention and inventory -------------------------------------------------------------------------

RETENTION = [
    # (entry date, today, purge allowed) -- 21 CFR 1304.04, kept 2 years
    (date(2024, 3, 10), date(2024, 3, 10), False),
    (date(2024, 3, 10), date(2026, 3, 9), False),
    (date(2024, 3, 10), date(2026, 3, 10), True),
    (date(2024, 3, 10), date(2026, 3, 11), True),
    (date(2024, 2, 29), date(2026, 2, 28), False),
    (date(2024, 2, 29), date(2026, 3, 1), True),
]


@pytest.mark.parametrize(("entry_on", "today", "allowed"), RETENTION)
def test_purge_is_allowed_from_the_second_anniversary_on(entry_on: date, today: date, allowed: bool) -> None:
    assert purge_allowed(entry_on, today) is allowed


def test_clinic_may_keep_records_longer_but_not_shorter() -> None:
    assert not purge_allowed(date(2024, 3, 10), date(2026, 3, 10), retention_years=3)
    assert retained_until(date(2024, 3, 10), retention_years=3) == date(2027, 3, 10)
    with pytest.raises(ClinicalError, match="at least 2 years"):
        purge_allowed(date(2024, 3, 10), date(2026, 3, 10), retention_years=1)
    with pytest.raises(ClinicalError, match="at least 2 years"):
        LedgerPolicy(retention_years=1)


def test_purge_allowed_refuses_a_record_dated_after_today() -> None:
    with pytest.raises(ClinicalError, match="after today"):
        purge_allowed(TODAY + timedelta(days=1), TODAY)


INVENTORY = [
    # (last inventory, today, due on, overdue) -- 21 CFR 1304.11(c)
    (date(2024, 5, 1), date(2026, 4, 30), date(2026, 5, 1), False),
    (date(2024, 5, 1), date(2026, 5, 1), date(2026, 5, 1), False),
    (date(2024, 5, 1), date(2026, 5, 2), date(2026, 5, 1), True),
    (date(2024, 2, 29), date(2026, 3, 1), date(2026, 2, 28), True),
]


@pytest.mark.parametrize(("last", "today", "due_on", "overdue"), INVENTORY)
def test_biennial_inventory_is_due_within_two_years_of_the_last(
    last: date, today: date, due_on: date, overdue: bool
) -> None:
    status = inventory_due(last, today)
    assert (status.due_on, status.overdue) == (due_on, overdue)


def test_initial_inventory_is_due_on_the_first_day_stock_is_held() -> None:
    assert inventory_due(None, date(2026, 1, 2), started_on=date(2026, 1, 2)).overdue is False
    assert inventory_due(None, date(2026, 1, 3), started_on=date(2026, 1, 2)).overdue is True
    with pytest.raises(ClinicalError, match="1304.11"):
        inventory_due(None, TODAY)
    with pytest.raises(ClinicalError, match="after today"):
        inventory_due(TODAY + timedelta(days=1), TODAY)


# --- properties ------------------------------------------------------------------------------------

PROP_LOTS: Mapping[str, LotInfo] = {
    "L1": LOT,
    "L2": LotInfo(strength_mg_per_ml=D(100), expires_on=date(2026, 4, 1), container_ml=D(5)),
}
PEOPLE = ("a", "b", "c", "d")
START = date(2025, 11, 1)


def ml_values(low: int, high: int) -> st.SearchStrategy[Decimal]:
    """Amounts in hundredths of a mL, from low to high hundredths."""
    return st.integers(low, high).map(lambda n: D(n).scaleb(-2))


KIND_WEIGHTS = [K.RECEIPT] * 3 + [K.DRAW] * 4 + list(EntryKind)
"""Receipts and draws come more often, so sequences build real stock and spend it."""


@st.composite
def people(draw: st.DrawFn, kind: EntryKind) -> tuple[str, tuple[str, ...]]:
    """Draw an actor and witnesses: mostly valid for the kind, sometimes not."""
    actor = draw(st.sampled_from(PEOPLE))
    if draw(st.integers(0, 19)) == 0:
        return actor, tuple(draw(st.lists(st.sampled_from(PEOPLE), max_size=3)))
    others = [p for p in PEOPLE if p != actor]
    needed = {K.WASTE: 1, K.DESTRUCTION: 2}.get(kind, 0)
    count = draw(st.integers(needed, len(others)))
    return actor, tuple(draw(st.permutations(others))[:count])


def quantity_for(draw: st.DrawFn, kind: EntryKind, lot: LotInfo) -> Decimal:
    """Draw a quantity: mostly small, sometimes large or (for some kinds) malformed."""
    if kind is K.RECEIPT:
        containers = draw(st.integers(1, 4))
        return containers * lot.container_ml + draw(st.sampled_from([D(0)] * 19 + [D(1)]))
    if kind is K.CORRECTION:
        return draw(ml_values(-1500, 1500))
    small = draw(ml_values(0 if kind is K.COUNT else 1, 300))
    return draw(st.sampled_from([small] * 37 + [small * 20, D("0.005"), D(0)]))


@st.composite
def ledger_entries(draw: st.DrawFn) -> LedgerEntryIn:
    kind = draw(st.sampled_from(KIND_WEIGHTS))
    lot = draw(st.sampled_from(["L1"] * 4 + ["L2"]))
    quantity = quantity_for(draw, kind, PROP_LOTS[lot])
    location, other = draw(st.sampled_from([("safe", "cart")] * 4 + [("cart", "safe")]))
    actor, witnesses = draw(people(kind))
    return replace(
        entry(kind, "1"),
        lot=lot,
        quantity=quantity,
        unit=Unit.ML,
        containers=int(quantity // PROP_LOTS[lot].container_ml) if kind is K.RECEIPT else None,
        location=location,
        to_location=draw(st.sampled_from([other] * 9 + [location])) if kind is K.TRANSFER else None,
        container_id=draw(st.sampled_from([f"V{n}" for n in range(6)])) if kind is K.DRAW else None,
        actor_id=actor,
        witness_ids=witnesses,
        occurred_on=START + timedelta(days=draw(st.integers(0, 200))),
    )


@st.composite
def ledgers(draw: st.DrawFn, min_size: int, max_size: int) -> list[LedgerEntryIn]:
    """Draw a ledger that opens with receipts, so later entries have stock to act on."""
    opening = draw(st.lists(ledger_entries().filter(lambda e: e.kind is K.RECEIPT), min_size=1, max_size=3))
    return opening + draw(st.lists(ledger_entries(), min_size=min_size, max_size=max_size))


def reference_balances(entries: Sequence[LedgerEntryIn]) -> dict[BalanceKey, Decimal]:
    """Receipts - draws - destructions - losses + returns + transfers in - out + corrections."""
    totals: dict[BalanceKey, Decimal] = defaultdict(Decimal)
    for e in entries:
        here = (e.lot, e.location)
        if e.kind in (K.RECEIPT, K.RETURN, K.CORRECTION):
            totals[here] += e.quantity
        elif e.kind in (K.DRAW, K.DESTRUCTION, K.LOSS_OR_THEFT, K.TRANSFER):
            totals[here] -= e.quantity
        if e.kind is K.TRANSFER:
            totals[(e.lot, e.to_location or "")] += e.quantity
    return totals


def same_balances(a: Mapping[BalanceKey, Decimal], b: Mapping[BalanceKey, Decimal]) -> bool:
    return all(a.get(key, D(0)) == b.get(key, D(0)) for key in a.keys() | b.keys())


@settings(max_examples=200, deadline=None)
@given(ledgers(min_size=0, max_size=25))
def test_replay_either_stops_at_an_invalid_entry_or_matches_the_reference_sums(
    entries: list[LedgerEntryIn],
) -> None:
    try:
        balances = replay(entries, PROP_LOTS)
    except InvalidEntryError as stopped:
        prefix = entries[: stopped.index]
        assert same_balances(replay(prefix, PROP_LOTS), reference_balances(prefix))
        with pytest.raises(InvalidEntryError) as again:
            replay(entries[: stopped.index + 1], PROP_LOTS)
        assert again.value.index == stopped.index
    else:
        assert same_balances(balances, reference_balances(entries))
        assert all(ml >= 0 for ml in balances.values())


@settings(max_examples=60, deadline=None)
@given(ledgers(min_size=15, max_size=35))
def test_a_ledger_of_accepted_entries_never_goes_negative(candidates: list[LedgerEntryIn]) -> None:
    accepted: list[LedgerEntryIn] = []
    balances: dict[BalanceKey, Decimal] = {}
    drawn: dict[tuple[str, str | None], Decimal] = defaultdict(Decimal)
    for candidate in candidates:
        container = (candidate.lot, candidate.container_id)
        try:
            movement = validate_entry(
                candidate, balances=balances, lot=PROP_LOTS[candidate.lot],
                today=candidate.occurred_on, drawn_from_container_ml=drawn[container],
            )
        except ClinicalError:
            continue
        balances = apply(balances, movement)
        if candidate.kind is K.DRAW:
            drawn[container] += candidate.quantity
        accepted.append(candidate)
        assert all(d.balance_after.ml == balances[d.key] >= 0 for d in movement.deltas)
        assert all(ml >= 0 for ml in balances.values())
    assert replay(accepted, PROP_LOTS) == balances
    assert same_balances(balances, reference_balances(accepted))


@settings(max_examples=200)
@given(
    st.sampled_from([K.DRAW, K.DESTRUCTION, K.LOSS_OR_THEFT, K.TRANSFER, K.CORRECTION]),
    ml_values(1, 1000),
)
def test_taking_exactly_the_balance_leaves_zero_and_one_hundredth_more_is_refused(
    kind: EntryKind, held: Decimal
) -> None:
    def taking(ml: Decimal) -> LedgerEntryIn:
        return entry(kind, str(-ml if kind is K.CORRECTION else ml))

    big_lot = replace(LOT, container_ml=D(20))
    movement = validate_entry(taking(held), balances={SAFE: held}, lot=big_lot, today=TODAY)
    assert apply({SAFE: held}, movement)[SAFE] == 0
    with pytest.raises(ClinicalError, match="below zero"):
        validate_entry(taking(held + D("0.01")), balances={SAFE: held}, lot=big_lot, today=TODAY)


@settings(max_examples=300, deadline=None)
@given(ledger_entries(), st.dictionaries(st.sampled_from([SAFE, ("L1", "cart")]), ml_values(0, 2000)))
def test_validate_entry_moves_exactly_the_signed_quantity_and_keeps_mg_consistent(
    candidate: LedgerEntryIn, balances: dict[BalanceKey, Decimal]
) -> None:
    candidate = replace(candidate, lot="L1")
    try:
        movement = validate_entry(candidate, balances=balances, lot=LOT, today=candidate.occurred_on)
    except ClinicalError:
        return
    sign = {K.RECEIPT: 1, K.RETURN: 1, K.CORRECTION: 1, K.DRAW: -1, K.DESTRUCTION: -1, K.LOSS_OR_THEFT: -1}
    assert sum(d.delta_ml for d in movement.deltas) == sign.get(candidate.kind, 0) * candidate.quantity
    assert movement.quantity.mg == candidate.quantity * LOT.strength_mg_per_ml
    for d in movement.deltas:
        assert d.balance_after.ml >= 0
        assert d.balance_after.mg == d.balance_after.ml * LOT.strength_mg_per_ml


@settings(max_examples=300)
@given(
    st.lists(st.tuples(st.sampled_from(["S1", "S2"]), st.sampled_from(["draw", "give", "waste"]), ml_values(0, 5000))),
    ml_values(0, 100),
)
def test_reconciliation_difference_is_drawn_minus_given_minus_wasted(
    rows: list[tuple[str, str, Decimal]], tolerance: Decimal
) -> None:
    pick = {role: [SessionAmount(s, mg) for s, r, mg in rows if r == role] for role in ("draw", "give", "waste")}
    report = reconcile_sessions(pick["draw"], pick["give"], pick["waste"], tolerance_mg=tolerance)
    for session in report.sessions:
        total = {
            role: sum((mg for s, r, mg in rows if r == role and s == session.session_ref), D(0))
            for role in pick
        }
        assert session.difference_mg == total["draw"] - total["give"] - total["waste"]
        assert session.ok is (abs(session.difference_mg) <= tolerance)


@given(st.dates(date(2000, 1, 1), date(2090, 1, 1)), st.integers(0, 1200))
def test_purge_is_never_allowed_before_730_days_and_always_after_731(entry_on: date, days: int) -> None:
    allowed = purge_allowed(entry_on, entry_on + timedelta(days=days))
    if days < 730:
        assert not allowed
    if days > 731:
        assert allowed
    assert not allowed or purge_allowed(entry_on, entry_on + timedelta(days=days + 1))


@given(st.dates(date(2000, 1, 1), date(2090, 1, 1)))
def test_biennial_inventory_is_due_730_or_731_days_after_the_last(last: date) -> None:
    assert (inventory_due(last, last).due_on - last).days in (730, 731)
