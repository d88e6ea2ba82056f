"""Fold ledger entries into balances per (lot, location), purely."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from clinical.errors import ClinicalError
from clinical.ledger.entries import (
    Balance,
    BalanceKey,
    EntryKind,
    LedgerEntryIn,
    LotInfo,
    LotKey,
    Movement,
)
from clinical.ledger.quantities import ZERO, mg_from_ml
from clinical.ledger.validate import validate_entry


class InvalidEntryError(ClinicalError):
    """Replay stopped at an entry the rules refuse; `index` is its 0-based position."""

    def __init__(self, index: int, entry: LedgerEntryIn, reason: str) -> None:
        super().__init__(f"Entry {index + 1} ({entry.kind.value}, {entry.occurred_on}): {reason}")
        self.index = index
        self.entry = entry
        self.reason = reason


def apply(
    balances: Mapping[BalanceKey, Decimal], movement: Movement
) -> dict[BalanceKey, Decimal]:
    """Return new balances with a movement's changes added; the input is not touched.

    Refuses a movement that would take a balance below zero (21 CFR 1304.21),
    e.g. one validated against other balances than these.
    """
    updated = dict(balances)
    for delta in movement.deltas:
        after = updated.get(delta.key, ZERO) + delta.delta_ml
        if after < 0:
            raise ClinicalError(
                f"Lot {delta.lot} at {delta.location} would go to {after} mL; "
                f"a balance cannot go below zero (21 CFR 1304.21)."
            )
        updated[delta.key] = after
    return updated


@dataclass(frozen=True)
class _State:
    """What replay carries from one entry to the next."""

    balances: Mapping[BalanceKey, Decimal]
    drawn_ml: Mapping[tuple[LotKey, str], Decimal]
    """mL drawn so far from each (lot, container)."""


def _lot(lot: LotKey, lots: Mapping[LotKey, LotInfo]) -> LotInfo:
    """Return a lot by its key, refusing an unknown one."""
    if lot not in lots:
        raise ClinicalError(f"Lot {lot} is not on record.")
    return lots[lot]


def _step(
    state: _State, entry: LedgerEntryIn, lot: LotInfo, today: date
) -> _State:
    """Validate one entry against the state so far and return the next state."""
    container = (entry.lot, entry.container_id or "")
    movement = validate_entry(
        entry,
        balances=state.balances,
        lot=lot,
        today=today,
        drawn_from_container_ml=state.drawn_ml.get(container, ZERO),
    )
    drawn = state.drawn_ml
    if entry.kind is EntryKind.DRAW:
        drawn = {**drawn, container: drawn.get(container, ZERO) + movement.quantity.ml}
    return _State(balances=apply(state.balances, movement), drawn_ml=drawn)


def replay(
    entries: Iterable[LedgerEntryIn],
    lots: Mapping[LotKey, LotInfo],
    *,
    today: date | None = None,
) -> dict[BalanceKey, Decimal]:
    """Fold entries in ledger order into mL balances per (lot, location).

    Each entry is checked as it would have been when recorded: against the
    balances before it, the mL already drawn from its container, and `today`
    (or, by default, its own date). Raises InvalidEntryError at the first
    entry the rules refuse.
    """
    state = _State(balances={}, drawn_ml={})
    for index, entry in enumerate(entries):
        try:
            lot = _lot(entry.lot, lots)
            state = _step(state, entry, lot, today or entry.occurred_on)
        except ClinicalError as error:
            raise InvalidEntryError(index, entry, str(error)) from error
    return dict(state.balances)


def describe_balances(
    balances: Mapping[BalanceKey, Decimal], lots: Mapping[LotKey, LotInfo]
) -> list[Balance]:
    """Return each balance with its mg (mL x the lot's strength), sorted by lot and location."""
    return [
        Balance(lot, location, ml, mg_from_ml(ml, _lot(lot, lots).strength_mg_per_ml))
        for (lot, location), ml in sorted(balances.items())
    ]

