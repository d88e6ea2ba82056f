"""Check one ledger entry and say which balances it changes (CLINICAL.md section 6).

A balance never goes below zero: 21 CFR 1304.21 asks for a complete and
accurate current record of every receipt and disposal, and stock the ledger
says it does not hold cannot leave it. Such an entry is refused; the record is
put right with a correction, not by letting the balance go negative.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from clinical.errors import ClinicalError
from clinical.ledger.entries import (
    Balance,
    BalanceKey,
    CountResult,
    Delta,
    EntryKind,
    LedgerEntryIn,
    LotInfo,
    Movement,
    Quantity,
)
from clinical.ledger.quantities import ZERO, mg_from_ml, quantity_of
from clinical.ledger.records import count_discrepancy
from clinical.ledger.rules import check_details, check_people

K = EntryKind

STOCK_SIGN: Mapping[EntryKind, int] = {
    K.RECEIPT: 1,
    K.RETURN: 1,
    K.CORRECTION: 1,  # the quantity itself carries the sign
    K.DRAW: -1,
    K.DESTRUCTION: -1,
    K.LOSS_OR_THEFT: -1,
    K.TRANSFER: 0,  # -q at location, +q at to_location
    K.ADMINISTRATION: 0,  # the draw moved the stock; this is what reconciliation checks
    K.WASTE: 0,  # leftover of a draw, already out of stock
    K.COUNT: 0,  # a difference opens a discrepancy, it does not move stock
}


def validate_entry(
    entry: LedgerEntryIn,
    *,
    balances: Mapping[BalanceKey, Decimal],
    lot: LotInfo,
    today: date,
    drawn_from_container_ml: Decimal = ZERO,
) -> Movement:
    """Check an entry against the ledger rules and return the balance changes it causes.

    `balances` holds mL per (lot, location); `drawn_from_container_ml` is what
    earlier draws took from the entry's container (0 for a fresh one).
    Raises ClinicalError, naming the rule, for any entry that may not be recorded.
    """
    check_details(entry)
    check_people(entry)
    _check_date(entry, today)
    quantity = quantity_of(entry, lot)
    _check_receipt(entry, lot, quantity)
    _check_draw(entry, lot, quantity, drawn_from_container_ml)
    changes = _changes(entry, quantity.ml)
    deltas = tuple(_delta(entry, key, change, balances, lot) for key, change in changes)
    return Movement(
        kind=entry.kind,
        quantity=quantity,
        deltas=deltas,
        count=_count(entry, quantity, balances, lot),
    )


def _check_date(entry: LedgerEntryIn, today: date) -> None:
    """Refuse an entry dated in the future; 1304.22(c) records what happened, when."""
    if entry.occurred_on > today:
        raise ClinicalError(
            f"A {entry.kind.value} dated {entry.occurred_on} is in the future (today is {today})."
        )


def _check_receipt(entry: LedgerEntryIn, lot: LotInfo, quantity: Quantity) -> None:
    """Refuse a receipt whose mL is not its containers x the lot's container volume, or of a lot already expired."""
    if entry.kind is not K.RECEIPT:
        return
    # Project rule (issue 10, ADR 0015): stock past its expiry cannot be drawn, so taking it in needs a reason.
    if entry.occurred_on > lot.expires_on and not (entry.reason or "").strip():
        raise ClinicalError(
            f"Lot {entry.lot} expired on {lot.expires_on}, before this receipt on {entry.occurred_on}; "
            "refuse the delivery, or give the reason it is taken in (for example, for destruction)."
        )
    if entry.containers is None:
        return
    expected = entry.containers * lot.container_ml
    if quantity.ml != expected:
        raise ClinicalError(
            f"{entry.containers} containers of {lot.container_ml} mL hold {expected} mL, "
            f"not the {quantity.ml} mL recorded."
        )


def _check_draw(
    entry: LedgerEntryIn, lot: LotInfo, quantity: Quantity, already_drawn_ml: Decimal
) -> None:
    """Refuse a draw from an expired lot or of more than the container still holds."""
    if entry.kind is not K.DRAW:
        return
    # Project rule (ledger issue): expired stock is not drawn; it goes to destruction.
    if entry.occurred_on > lot.expires_on:
        raise ClinicalError(
            f"Lot {entry.lot} expired on {lot.expires_on}; it cannot be drawn on "
            f"{entry.occurred_on}. Quarantine it for destruction."
        )
    if already_drawn_ml < 0:
        raise ClinicalError(f"Amount already drawn cannot be negative, got {already_drawn_ml}.")
    left = lot.container_ml - already_drawn_ml
    if quantity.ml > left:
        raise ClinicalError(
            f"Container {entry.container_id} holds {max(left, ZERO)} mL of its "
            f"{lot.container_ml} mL; a draw of {quantity.ml} mL is more than it holds."
        )


def _changes(entry: LedgerEntryIn, ml: Decimal) -> list[tuple[BalanceKey, Decimal]]:
    """List the (lot, location) balance changes an entry of this kind makes."""
    here = (entry.lot, entry.location)
    if entry.kind is K.TRANSFER:
        there = (entry.lot, entry.to_location or "")
        if there == here:
            raise ClinicalError(f"A transfer from {entry.location} to itself moves nothing.")
        return [(here, -ml), (there, ml)]
    sign = STOCK_SIGN[entry.kind]
    return [(here, sign * ml)] if sign else []


def _delta(
    entry: LedgerEntryIn,
    key: BalanceKey,
    change: Decimal,
    balances: Mapping[BalanceKey, Decimal],
    lot: LotInfo,
) -> Delta:
    """Return one balance change, refusing it if the balance would go below zero."""
    before = balances.get(key, ZERO)
    after = before + change
    if after < 0:
        raise ClinicalError(
            f"Refused: this {entry.kind.value} takes {-change} mL of lot {key[0]} from "
            f"{key[1]}, which holds {before} mL; a balance cannot go below zero "
            f"(21 CFR 1304.21). Count the stock and record a correction if the ledger is wrong."
        )
    balance = Balance(key[0], key[1], after, mg_from_ml(after, lot.strength_mg_per_ml))
    return Delta(lot=key[0], location=key[1], delta_ml=change, balance_after=balance)


def _count(
    entry: LedgerEntryIn,
    quantity: Quantity,
    balances: Mapping[BalanceKey, Decimal],
    lot: LotInfo,
) -> CountResult | None:
    """Set a physical count against the expected balance (21 CFR 1304.11)."""
    if entry.kind is not K.COUNT:
        return None
    expected = balances.get((entry.lot, entry.location), ZERO)
    difference = count_discrepancy(expected, quantity.ml)
    return CountResult(
        expected_ml=expected,
        counted_ml=quantity.ml,
        discrepancy_ml=difference,
        discrepancy_mg=None
        if difference is None
        else mg_from_ml(difference, lot.strength_mg_per_ml),
        estimated=entry.estimated,
    )
