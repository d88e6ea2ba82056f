"""Which inventory may be taken, and whether it covers all stock (CLINICAL.md section 6).

21 CFR 1304.11: an initial inventory on the first day the clinic holds stock,
then a biennial inventory at least every 2 years; each is a complete record of
all stock on hand (opened C-III containers may be estimated).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal

from clinical.errors import ClinicalError
from clinical.ledger.entries import BalanceKey


class InventoryKind(enum.Enum):
    INITIAL = "initial"
    BIENNIAL = "biennial"


def check_inventory_kind(kind: InventoryKind, last_inventory_on: date | None) -> None:
    """Refuse a second initial inventory, or a biennial one before any initial (1304.11(b)-(c))."""
    if kind is InventoryKind.INITIAL and last_inventory_on is not None:
        raise ClinicalError(
            f"An inventory was already taken on {last_inventory_on}; the next one is a biennial "
            "inventory (21 CFR 1304.11(c))."
        )
    if kind is InventoryKind.BIENNIAL and last_inventory_on is None:
        raise ClinicalError(
            "No inventory is on record yet: take the initial inventory first (21 CFR 1304.11(b))."
        )


def check_inventory_complete(
    book: Mapping[BalanceKey, Decimal], counted: Iterable[BalanceKey]
) -> None:
    """Refuse an inventory that leaves out stock the ledger holds, or counts a place twice (1304.11(a))."""
    seen: set[BalanceKey] = set()
    for key in counted:
        if key in seen:
            raise ClinicalError(f"Lot {key[0]} at {key[1]} is counted twice in this inventory.")
        seen.add(key)
    missing = sorted(key for key, ml in book.items() if ml > 0 and key not in seen)
    if missing:
        places = "; ".join(f"lot {lot} at {loc} ({book[(lot, loc)]} mL on the books)" for lot, loc in missing)
        raise ClinicalError(f"An inventory must cover all stock on hand (21 CFR 1304.11(a)); missing: {places}.")
