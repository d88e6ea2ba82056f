"""Record retention, the biennial inventory and count discrepancies (CLINICAL.md section 6)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from clinical.errors import ClinicalError
from clinical.ledger.entries import Unit
from clinical.ledger.quantities import check_recorded

RETENTION_YEARS = 2
"""21 CFR 1304.04: every record kept at least 2 years from its date."""
INVENTORY_INTERVAL_YEARS = 2
"""21 CFR 1304.11(c): a biennial inventory within 2 years of the previous one."""


def _years_after(start: date, years: int, *, leap_day_late: bool) -> date:
    """Return the same calendar day `years` later; 29 Feb moves to 1 Mar or 28 Feb."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February into a common year
        feb_28 = start.replace(year=start.year + years, day=28)
        return feb_28 + timedelta(days=1) if leap_day_late else feb_28


def retained_until(entry_date: date, *, retention_years: int = RETENTION_YEARS) -> date:
    """Return the first day a record dated `entry_date` may be purged (21 CFR 1304.04).

    The anniversary itself completes the period; a record from 29 Feb is kept
    to 1 Mar, the later reading, so no reading of "2 years" is cut short.
    """
    if isinstance(retention_years, bool) or retention_years < RETENTION_YEARS:
        raise ClinicalError(
            f"Retention must be at least {RETENTION_YEARS} years (21 CFR 1304.04), "
            f"got {retention_years!r}."
        )
    return _years_after(entry_date, retention_years, leap_day_late=True)


def purge_allowed(
    entry_date: date, today: date, *, retention_years: int = RETENTION_YEARS
) -> bool:
    """Tell whether a ledger record may be purged today (21 CFR 1304.04: keep 2 years)."""
    if entry_date > today:
        raise ClinicalError(f"A record dated {entry_date} is after today ({today}).")
    return today >= retained_until(entry_date, retention_years=retention_years)


@dataclass(frozen=True)
class InventoryStatus:
    """When the next inventory is due and whether that day has passed."""

    due_on: date
    overdue: bool


def inventory_due(
    last_inventory_on: date | None, today: date, *, started_on: date | None = None
) -> InventoryStatus:
    """Return when the next inventory is due (21 CFR 1304.11).

    With no inventory yet, the initial one is due on `started_on`, the first
    day the clinic holds stock (1304.11(b)). Afterwards it is due within 2
    years of the last (1304.11(c)): on the anniversary at the latest, 28 Feb
    for an inventory taken on 29 Feb. Overdue means today is after the due day.
    """
    if last_inventory_on is None:
        if started_on is None:
            raise ClinicalError(
                "No inventory on record: give the day the clinic first held stock; the "
                "initial inventory is due that day (21 CFR 1304.11(b))."
            )
        due_on = started_on
    else:
        if last_inventory_on > today:
            raise ClinicalError(f"The last inventory ({last_inventory_on}) is after today ({today}).")
        due_on = _years_after(last_inventory_on, INVENTORY_INTERVAL_YEARS, leap_day_late=False)
    return InventoryStatus(due_on=due_on, overdue=today > due_on)


def count_discrepancy(expected_ml: Decimal, counted_ml: Decimal) -> Decimal | None:
    """Return counted - expected in mL, or None when they agree (21 CFR 1304.11).

    A negative result is stock missing; positive is stock the ledger lacks.
    """
    expected = check_recorded(expected_ml, Unit.ML, "The expected balance")
    counted = check_recorded(counted_ml, Unit.ML, "The counted amount")
    if expected < 0 or counted < 0:
        raise ClinicalError(
            f"Expected and counted stock cannot be negative (got {expected} and {counted} mL)."
        )
    difference = counted - expected
    return None if difference == 0 else difference
