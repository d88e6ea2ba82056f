"""Correct a ledger entry with a new entry that points at it (CLINICAL.md section 6).

The ledger is append-only (DESIGN.md "Storage"; 21 CFR 1304.21 asks for a
complete and accurate record): nothing is edited. Whoever corrects states the
right amount of the entry; the correction records the change that amount makes
-- to stock for entries that move it, to the session's amount for an
administration or a waste -- and the original stays as it was written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from clinical.errors import ClinicalError
from clinical.ledger.balances import apply
from clinical.ledger.entries import (
    Balance,
    BalanceKey,
    Delta,
    EntryKind,
    LocationKey,
    LotInfo,
    LotKey,
    Movement,
    Quantity,
    Unit,
)
from clinical.ledger.quantities import ZERO, check_recorded, mg_from_ml, ml_from_mg

K = EntryKind

STOCK_DIRECTION: Mapping[EntryKind, int] = {
    K.RECEIPT: 1,
    K.RETURN: 1,
    K.DRAW: -1,
    K.DESTRUCTION: -1,
    K.LOSS_OR_THEFT: -1,
    K.TRANSFER: -1,  # at the source; the destination moves the other way
    K.ADMINISTRATION: 0,
    K.WASTE: 0,
}
"""How the amount of each correctable kind moves stock at its location."""

_NOT_CORRECTABLE = {
    K.COUNT: "A count records what was found; correct the entry that was wrong, or record a "
    "loss (DEA Form 106) for stock that is missing.",
    K.CORRECTION: "Correct the original entry again, not the correction.",
}


@dataclass(frozen=True)
class CorrectionIn:
    """An entry to correct: its kind, where it moved stock, and the amounts before and after."""

    kind: EntryKind
    lot: LotKey
    location: LocationKey
    unit: Unit
    recorded: Decimal
    """The amount now in force: as first written, or as last corrected."""
    corrected: Decimal
    """The right amount, in the same unit; 0 voids the entry."""
    reason: str
    to_location: LocationKey | None = None
    container_taken_ml: Decimal = ZERO
    """Draws: mL taken from the entry's container so far, this entry included."""


@dataclass(frozen=True)
class Correction:
    """What a correction changes: the amount (signed), the amount in force after, the stock."""

    change: Quantity
    corrected: Quantity
    deltas: tuple[Delta, ...]


def plan_correction(
    correction: CorrectionIn, *, balances: Mapping[BalanceKey, Decimal], lot: LotInfo
) -> Correction:
    """Check a correction and return what it changes; refuse one that breaks a ledger rule."""
    _check_correctable(correction)
    recorded = _amount(correction.recorded, correction, "The amount in force")
    corrected = _amount(correction.corrected, correction, "The corrected amount")
    if corrected == recorded:
        raise ClinicalError(
            f"The entry already records {recorded} {correction.unit.value}; a correction must change it."
        )
    before = _both(recorded, correction.unit, lot)
    after = _both(corrected, correction.unit, lot)
    change = Quantity(ml=after.ml - before.ml, mg=after.mg - before.mg)
    _check_container(correction, change.ml, lot)
    deltas = _deltas(correction, change.ml, balances, lot)
    apply(balances, Movement(kind=K.CORRECTION, quantity=change, deltas=deltas))
    return Correction(change=change, corrected=after, deltas=deltas)


def _check_correctable(correction: CorrectionIn) -> None:
    """Refuse a kind that cannot be corrected, a unit it is not kept in, or a missing reason."""
    if correction.kind in _NOT_CORRECTABLE:
        raise ClinicalError(_NOT_CORRECTABLE[correction.kind])
    if correction.unit is Unit.MG and STOCK_DIRECTION[correction.kind] != 0:
        raise ClinicalError(f"A {correction.kind.value} moves stock and is corrected in mL, not mg.")
    if not correction.reason.strip():
        raise ClinicalError("A correction must give its reason (the ledger is append-only).")
    if correction.kind is K.TRANSFER and not correction.to_location:
        raise ClinicalError("A transfer correction needs the location the stock went to.")


def _amount(value: Decimal, correction: CorrectionIn, what: str) -> Decimal:
    """Return an amount at 0.01 of its unit, refusing a negative one."""
    amount = check_recorded(value, correction.unit, what)
    if amount < 0:
        raise ClinicalError(f"{what} cannot be negative, got {amount} {correction.unit.value}.")
    return amount


def _both(amount: Decimal, unit: Unit, lot: LotInfo) -> Quantity:
    """Express an amount in mL and mg at the lot's strength."""
    if unit is Unit.ML:
        return Quantity(ml=amount, mg=mg_from_ml(amount, lot.strength_mg_per_ml))
    return Quantity(ml=ml_from_mg(amount, lot.strength_mg_per_ml), mg=amount)


def _check_container(correction: CorrectionIn, change_ml: Decimal, lot: LotInfo) -> None:
    """Refuse a corrected draw or receipt that no longer fits the lot's containers."""
    if correction.kind is K.DRAW:
        taken = correction.container_taken_ml + change_ml
        if taken > lot.container_ml:
            raise ClinicalError(
                f"The container holds {lot.container_ml} mL; with this correction "
                f"{taken} mL would have been taken from it."
            )
    if correction.kind is K.RECEIPT and correction.corrected % lot.container_ml != 0:
        raise ClinicalError(
            f"A receipt is whole containers of {lot.container_ml} mL; "
            f"{correction.corrected} mL is not."
        )


def _deltas(
    correction: CorrectionIn,
    change_ml: Decimal,
    balances: Mapping[BalanceKey, Decimal],
    lot: LotInfo,
) -> tuple[Delta, ...]:
    """Return the stock changes of a correction with the balance after each."""
    direction = STOCK_DIRECTION[correction.kind]
    if direction == 0:
        return ()
    changes = [((correction.lot, correction.location), direction * change_ml)]
    if correction.kind is K.TRANSFER:
        changes.append(((correction.lot, correction.to_location or ""), change_ml))
    return tuple(_delta(key, ml, balances, lot) for key, ml in changes)


def _delta(
    key: BalanceKey, change_ml: Decimal, balances: Mapping[BalanceKey, Decimal], lot: LotInfo
) -> Delta:
    """Return one balance change and the balance after it (apply() refuses a negative one)."""
    after = balances.get(key, ZERO) + change_ml
    balance = Balance(key[0], key[1], after, mg_from_ml(after, lot.strength_mg_per_ml))
    return Delta(lot=key[0], location=key[1], delta_ml=change_ml, balance_after=balance)
