"""Quantity arithmetic for the ledger: mg = mL x strength, in Decimal.

Rounding rule (one rule for the whole ledger):
- A recorded quantity (what someone measured: mL drawn, mg given) must already
  be to 0.01 of its unit -- the finest mark on a 1 mL syringe is 0.01 mL. A
  finer figure is refused, never rounded, so the ledger holds what was written.
- A derived quantity (mg from mL, mL from mg) is rounded half-up to 0.01.
- Balances are summed in mL, which stay exact; a balance's mg is derived from
  its mL, never summed from rounded mg.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from clinical.errors import ClinicalError
from clinical.ledger.entries import EntryKind, LedgerEntryIn, LotInfo, Quantity, Unit

ML_QUANTUM = Decimal("0.01")
MG_QUANTUM = Decimal("0.01")
ZERO = Decimal("0.00")

_MG_ALLOWED = frozenset({EntryKind.ADMINISTRATION, EntryKind.WASTE})
"""Only patient-side amounts may be recorded in mg; stock moves in mL."""


def mg_from_ml(ml: Decimal, strength_mg_per_ml: Decimal) -> Decimal:
    """Convert mL to mg at a strength, rounded half-up to 0.01 mg."""
    return (ml * strength_mg_per_ml).quantize(MG_QUANTUM, rounding=ROUND_HALF_UP)


def ml_from_mg(mg: Decimal, strength_mg_per_ml: Decimal) -> Decimal:
    """Convert mg to mL at a strength, rounded half-up to 0.01 mL."""
    return (mg / strength_mg_per_ml).quantize(ML_QUANTUM, rounding=ROUND_HALF_UP)


def check_recorded(value: object, unit: Unit, what: str) -> Decimal:
    """Return a recorded amount at 0.01 of its unit, refusing anything finer."""
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ClinicalError(f"{what} must be a number, got {value!r}.")
    try:
        exact = value.quantize(ML_QUANTUM if unit is Unit.ML else MG_QUANTUM)
    except InvalidOperation:
        raise ClinicalError(f"{what} of {value} {unit.value} is not a plausible amount.") from None
    if exact != value:
        raise ClinicalError(
            f"{what} must be recorded to 0.01 {unit.value}, got {value} {unit.value}."
        )
    return exact


def _check_sign(kind: EntryKind, amount: Decimal, unit: Unit) -> None:
    """Refuse a quantity whose sign does not fit the entry's kind."""
    if kind is EntryKind.COUNT:
        if amount < 0:
            raise ClinicalError(f"A count cannot be negative, got {amount} {unit.value}.")
    elif kind is EntryKind.CORRECTION:
        if amount == 0:
            raise ClinicalError("A correction of 0 mL changes nothing; record a non-zero amount.")
    elif amount <= 0:
        raise ClinicalError(
            f"A {kind.value} quantity must be positive (the kind gives the direction), "
            f"got {amount} {unit.value}."
        )


def quantity_of(entry: LedgerEntryIn, lot: LotInfo) -> Quantity:
    """Return an entry's quantity in mL and mg, checking unit, sign and precision."""
    if entry.unit is Unit.MG and entry.kind not in _MG_ALLOWED:
        raise ClinicalError(
            f"A {entry.kind.value} moves stock and is recorded in mL, not mg."
        )
    amount = check_recorded(entry.quantity, entry.unit, f"The {entry.kind.value} quantity")
    _check_sign(entry.kind, amount, entry.unit)
    strength = lot.strength_mg_per_ml
    if entry.unit is Unit.ML:
        return Quantity(ml=amount, mg=mg_from_ml(amount, strength))
    return Quantity(ml=ml_from_mg(amount, strength), mg=amount)
