"""Attribute mg given or wasted to the lots drawn for a session (CLINICAL.md section 6).

A dispenser record names the substance given (21 CFR 1304.22(c)); when a
session drew from more than one lot, each mg given or wasted is charged to a
lot, first drawn first, so a lot's history accounts for its own mg.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from clinical.errors import ClinicalError
from clinical.ledger.entries import LotKey, Unit
from clinical.ledger.quantities import ZERO, check_recorded


def allocate_to_lots(
    amount_mg: Decimal, open_mg: Sequence[tuple[LotKey, Decimal]]
) -> tuple[tuple[LotKey, Decimal], ...]:
    """Split an amount over the session's lots in draw order.

    `open_mg` lists each lot drawn for the session, first drawn first, with the
    mg drawn from it not yet given or wasted. Each lot takes up to its open mg;
    whatever is left over is charged to the last lot, so nothing is lost from
    the record (reconciliation then shows the session does not add up).
    """
    amount = check_recorded(amount_mg, Unit.MG, "The amount")
    if amount <= 0:
        raise ClinicalError(f"The amount must be above 0 mg, got {amount} mg.")
    if not open_mg:
        raise ClinicalError("Nothing was drawn for this session; record the draw first.")
    shares: dict[LotKey, Decimal] = {}
    left = amount
    for lot, available in open_mg:
        take = min(left, max(available, ZERO))
        if take > 0:
            shares[lot] = shares.get(lot, ZERO) + take
            left -= take
    if left > 0:
        last = open_mg[-1][0]
        shares[last] = shares.get(last, ZERO) + left
    return tuple(shares.items())
