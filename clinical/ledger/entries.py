"""Inputs and outputs of the Schedule III ledger rules (CLINICAL.md section 6).

Quantity convention: an entry's `quantity` is a magnitude (> 0) and its kind
gives the direction (receipt and return add stock; draw, destruction and loss
or theft remove it; transfer moves it; administration, waste and count move
none). Two exceptions: a count records what was counted (>= 0) and a
correction is the one signed entry (non-zero, + adds stock, - removes it).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from clinical.errors import ClinicalError

LotKey = str
LocationKey = str
BalanceKey = tuple[LotKey, LocationKey]
"""A balance is kept per (lot, location), in mL."""


class EntryKind(enum.Enum):
    """What a ledger entry records (CLINICAL.md section 6, 21 CFR 1304.21-22)."""

    RECEIPT = "receipt"
    DRAW = "draw"
    ADMINISTRATION = "administration"
    WASTE = "waste"
    DESTRUCTION = "destruction"
    LOSS_OR_THEFT = "loss_or_theft"
    TRANSFER = "transfer"
    COUNT = "count"
    CORRECTION = "correction"
    RETURN = "return"


class Unit(enum.Enum):
    """The unit an entry's quantity was measured in."""

    ML = "mL"
    MG = "mg"


@dataclass(frozen=True)
class LotInfo:
    """A manufacturer's lot: strength, expiry and the volume of each container."""

    strength_mg_per_ml: Decimal
    expires_on: date
    """Last day the lot may be drawn from."""
    container_ml: Decimal
    """Nominal volume of one container (vial) of this lot."""

    def __post_init__(self) -> None:
        for name, value in (
            ("strength_mg_per_ml", self.strength_mg_per_ml),
            ("container_ml", self.container_ml),
        ):
            if not isinstance(value, Decimal) or not value.is_finite() or value <= 0:
                raise ClinicalError(f"Lot {name} must be a positive Decimal, got {value!r}.")


@dataclass(frozen=True)
class LedgerEntryIn:
    """One append-only ledger entry as recorded, before it is checked.

    Which optional fields a kind needs is listed in `clinical.ledger.rules`.
    """

    kind: EntryKind
    lot: LotKey
    location: LocationKey
    quantity: Decimal
    actor_id: str
    occurred_on: date
    unit: Unit = Unit.ML
    witness_ids: tuple[str, ...] = ()
    container_id: str | None = None
    containers: int | None = None
    """Receipt: how many containers arrived."""
    session_ref: str | None = None
    patient_ref: str | None = None
    to_location: LocationKey | None = None
    """Transfer: where the stock goes."""
    supplier_ref: str | None = None
    """Receipt: the supplier record (name, address, DEA number)."""
    report_ref: str | None = None
    """Loss or theft: DEA Form 106 reference; destruction: DEA Form 41."""
    method: str | None = None
    place: str | None = None
    corrects_entry_id: str | None = None
    reason: str | None = None
    estimated: bool = False
    """Count: an opened container's content was estimated (1304.11)."""


@dataclass(frozen=True)
class Quantity:
    """An amount in both units, mL and mg, each to 0.01."""

    ml: Decimal
    mg: Decimal


@dataclass(frozen=True)
class Balance:
    """Stock of one lot at one location; mL is the truth, mg is derived."""

    lot: LotKey
    location: LocationKey
    ml: Decimal
    mg: Decimal


@dataclass(frozen=True)
class Delta:
    """One balance change an entry causes, and the balance after it."""

    lot: LotKey
    location: LocationKey
    delta_ml: Decimal
    balance_after: Balance

    @property
    def key(self) -> BalanceKey:
        return (self.lot, self.location)


@dataclass(frozen=True)
class CountResult:
    """A physical count set against the ledger (21 CFR 1304.11)."""

    expected_ml: Decimal
    counted_ml: Decimal
    discrepancy_ml: Decimal | None
    """counted - expected; None when they agree (no discrepancy opens)."""
    discrepancy_mg: Decimal | None
    estimated: bool


@dataclass(frozen=True)
class Movement:
    """What a valid entry does: its quantity and the balances it changes."""

    kind: EntryKind
    quantity: Quantity
    deltas: tuple[Delta, ...] = ()
    count: CountResult | None = None


@dataclass(frozen=True)
class LedgerPolicy:
    """Clinic settings for the ledger (Policy: no authoritative source)."""

    reconciliation_tolerance_mg: Decimal = Decimal("0.5")
    """Policy, default 0.5 mg: drawn vs administered + wasted may differ by this."""
    retention_years: int = 2
    """21 CFR 1304.04 sets 2 years as the floor; a clinic may keep longer."""

    def __post_init__(self) -> None:
        tolerance = self.reconciliation_tolerance_mg
        if not isinstance(tolerance, Decimal) or not tolerance.is_finite() or tolerance < 0:
            raise ClinicalError(f"Reconciliation tolerance must be >= 0 mg, got {tolerance!r}.")
        if isinstance(self.retention_years, bool) or self.retention_years < 2:
            raise ClinicalError(
                f"Retention must be at least 2 years (21 CFR 1304.04), got {self.retention_years!r}."
            )

