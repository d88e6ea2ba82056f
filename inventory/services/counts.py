"""Physical counts, their discrepancies, and the initial and biennial inventory (21 CFR 1304.11)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import cast

from django.db import IntegrityError, transaction

from accounts.models import Clinic, User
from accounts.permissions import Perm
from accounts.queries import require
from alerts import services as alerts
from alerts.choices import AlertKind
from audit import services as audit
from clinical.ledger import EntryKind as K
from clinical.ledger import LedgerEntryIn
from clinical.ledger.inventories import InventoryKind as KernelInventoryKind
from clinical.ledger.inventories import check_inventory_complete, check_inventory_kind
from toolkit.errors import ServiceError
from toolkit.locking import for_update

from ..choices import BusinessTime, EntryKind, InventoryKind
from ..models import Count, Discrepancy, DiscrepancyResolution, Inventory, LedgerEntry, Location, Lot
from ..queries import balances, last_inventory
from .common import (
    kernel,
    ledger_transaction,
    local_date,
    lock_lots,
    now,
    same_clinic,
    validate,
    when,
    write_entry,
)


@dataclass(frozen=True)
class CountLine:
    """What was found of one lot at one location."""

    lot: Lot
    location: Location
    sealed_containers: int
    opened_ml: Decimal = Decimal("0.00")
    opened_containers: int = 0
    estimated: bool = False


def _check_line(line: CountLine) -> Decimal:
    """Return the mL counted: sealed containers x their volume + what the opened ones hold."""
    for value, field in ((line.sealed_containers, "sealed_containers"), (line.opened_containers, "opened_containers")):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ServiceError("Container counts are whole numbers, 0 or more.", {field: "Whole number, 0 or more."})
    if not isinstance(line.opened_ml, Decimal) or not line.opened_ml.is_finite() or line.opened_ml < 0:
        raise ServiceError("The mL in opened containers must be 0 or more.", {"opened_ml": "0 or more."})
    if line.opened_ml > 0 and line.opened_containers == 0:
        raise ServiceError("Say how many opened containers hold that mL.", {"opened_containers": "At least 1."})
    return line.sealed_containers * line.lot.product.container_ml + line.opened_ml


@ledger_transaction
def record_count(*, line: CountLine, note: str = "", at: datetime | None = None, by: User) -> Count:
    """Count one lot at one location; a difference from the book opens a discrepancy."""
    clinic = line.lot.clinic
    require(Perm.HANDLE_KETAMINE, by, clinic, to="record a count")
    lock_lots([line.lot])
    return _count(line=line, note=note, at=at, by=by, inventory=None)


def _count(*, line: CountLine, note: str, at: datetime | None, by: User, inventory: Inventory | None) -> Count:
    clinic = line.lot.clinic
    same_clinic(clinic, line.location)
    at, on, today = when(at, clinic)
    counted = _check_line(line)
    entry_in = LedgerEntryIn(kind=K.COUNT, lot=line.lot.lot_number, location=line.location.name, quantity=counted,
                             actor_id=by.username, occurred_on=on, estimated=line.estimated)
    movement = validate(entry_in, line.lot, [line.location], today)
    result = movement.count
    assert result is not None  # noqa: S101 - the kernel returns a count result for every count
    entry = write_entry(movement=movement, by=by, clinic=clinic, kind=EntryKind.COUNT, lot=line.lot,
                        location=line.location, at=at, note=note.strip(), detail={"estimated": line.estimated})
    count = Count.objects.create(clinic=clinic, entry=entry, inventory=inventory, lot=line.lot, location=line.location,
                                 sealed_containers=line.sealed_containers, opened_containers=line.opened_containers,
                                 opened_ml=line.opened_ml, counted_ml=result.counted_ml, expected_ml=result.expected_ml,
                                 estimated=line.estimated, counted_by=by, at=at)
    if result.discrepancy_ml is not None:
        found = Discrepancy.objects.create(clinic=clinic, count=count, lot=line.lot, location=line.location,
                                           difference_ml=result.discrepancy_ml,
                                           difference_mg=cast(Decimal, result.discrepancy_mg),  # the kernel sets it with the ml
                                           opened_at=now())
        audit.record(action="ledger_discrepancy_open", by=by, clinic=clinic, obj=found,
                     detail={"lot": line.lot.lot_number, "location": line.location.name,
                             "difference_ml": str(found.difference_ml), "expected_ml": str(result.expected_ml),
                             "counted_ml": str(result.counted_ml)})
        alerts.raise_ledger_discrepancy(
            discrepancy=found, value=f"{found.difference_ml} mL", threshold=f"{result.expected_ml} mL expected", by=by,
            message=f"Count of lot {line.lot.lot_number} at {line.location.name} differs from the ledger by "
                    f"{found.difference_ml} mL ({result.counted_ml} counted, {result.expected_ml} expected). "
                    "Investigate and resolve the discrepancy.")
    return count


def resolve_discrepancy(*, discrepancy: Discrepancy, explanation: str, accounted_by: LedgerEntry | None = None,
                        by: User) -> DiscrepancyResolution:
    """Close a discrepancy with an inventory officer's explanation (and the entry that accounts for it, if any)."""
    clinic = discrepancy.clinic
    require(Perm.KEEP_LEDGER, by, clinic, to="resolve discrepancies")
    text = (explanation or "").strip()
    if len(text) < 10:
        raise ServiceError("Explain the discrepancy in a sentence an inspector can follow.", {"explanation": "Too short."})
    if accounted_by is not None and (accounted_by.clinic_id != clinic.pk or accounted_by.lot_id != discrepancy.lot_id):
        raise ServiceError("The entry that accounts for it must be of the same lot.", {"accounted_by": "Another lot."})
    try:
        with transaction.atomic():
            for_update(Discrepancy.objects.filter(pk=discrepancy.pk)).first()
            if DiscrepancyResolution.objects.filter(discrepancy=discrepancy).exists():
                raise ServiceError("This discrepancy is already resolved.")
            resolution = DiscrepancyResolution.objects.create(clinic=clinic, discrepancy=discrepancy, explanation=text,
                                                              accounted_by=accounted_by, resolved_by=by, resolved_at=now())
            alerts.close_alerts(kind=AlertKind.LEDGER_DISCREPANCY, source=discrepancy, at=resolution.resolved_at, by=by,
                                note=f"Closed: the discrepancy was resolved ({text[:200]}).")
            audit.record(action="ledger_discrepancy_resolve", by=by, clinic=clinic, obj=discrepancy,
                         detail={"explanation": text, "accounted_by": getattr(accounted_by, "pk", None)})
    except IntegrityError:
        raise ServiceError("This discrepancy is already resolved.") from None
    return resolution


def _label(lot: Lot) -> str:
    return f"{lot.lot_number} ({lot.product.name} {lot.product.strength_mg_per_ml} mg/mL)"


@ledger_transaction
def take_inventory(*, clinic: Clinic, kind: str, business_time: str, lines: Sequence[CountLine], at: datetime | None = None,
                   note: str = "", by: User) -> Inventory:
    """Take the initial or a biennial inventory: every lot and location holding stock, counted (21 CFR 1304.11)."""
    require(Perm.KEEP_LEDGER, by, clinic, to="take an inventory")
    if kind not in InventoryKind.values:
        raise ServiceError("Choose initial or biennial.", {"kind": "Choose one."})
    if business_time not in BusinessTime.values:
        raise ServiceError("Say whether it was taken at opening or close of business (21 CFR 1304.11(a)).",
                           {"business_time": "Choose one."})
    for line in lines:
        same_clinic(clinic, line.lot, line.location)
    lock_lots([line.lot for line in lines] + [row.lot for row in balances(clinic)])
    at, on, today = when(at, clinic)
    previous = last_inventory(clinic)
    last_on = local_date(previous.taken_at, clinic) if previous else None
    kernel(lambda: check_inventory_kind(KernelInventoryKind(kind), last_on))
    book = {(_label(r.lot), r.location.name): r.ml for r in balances(clinic)}
    kernel(lambda: check_inventory_complete(book, [(_label(line.lot), line.location.name) for line in lines]))
    inventory = Inventory.objects.create(clinic=clinic, kind=kind, business_time=business_time, taken_at=at,
                                         taken_by=by, note=note.strip())
    audit.record(action="ledger_inventory", by=by, clinic=clinic, obj=inventory,
                 detail={"kind": kind, "lines": len(lines), "business_time": business_time})
    for line in lines:
        _count(line=line, note="", at=at, by=by, inventory=inventory)
    return inventory
