"""Correct an entry with a new one that points at it: nothing in the ledger is edited or deleted."""

from datetime import datetime
from decimal import Decimal

from accounts.models import User
from accounts.permissions import Perm
from accounts.queries import require
from clinical.ledger import EntryKind as K
from clinical.ledger import Unit
from clinical.ledger.amend import CorrectionIn, plan_correction
from toolkit.errors import ServiceError

from ..choices import ContainerState, EntryKind
from ..models import Container, LedgerEntry
from ..queries import balance_ml, container_taken_ml, in_force
from .common import kernel, ledger_transaction, lock_lots, lot_info, when, write_entry
from .containers import refresh_state
from .stock import add_containers


@ledger_transaction
def correct_entry(*, entry: LedgerEntry, corrected: Decimal, reason: str, at: datetime | None = None,
                  by: User) -> LedgerEntry:
    """Record the right amount of an entry; the correction carries the change it makes and why."""
    clinic = entry.clinic
    require(Perm.KEEP_LEDGER, by, clinic, to="correct ledger entries")
    at, _, _ = when(at, clinic)
    lot = lock_lots([entry.lot])[entry.lot_id]
    original = LedgerEntry.objects.select_related("location", "to_location", "container", "session").get(pk=entry.pk)
    unit = Unit.MG if original.unit == "mg" else Unit.ML
    ml, mg = in_force(original)
    places = [p for p in (original.location, original.to_location) if p is not None]
    taken = container_taken_ml(original.container) if original.kind == EntryKind.DRAW and original.container else Decimal(0)
    plan = kernel(lambda: plan_correction(
        CorrectionIn(kind=K(original.kind), lot=lot.lot_number, location=original.location.name, unit=unit,
                     recorded=mg if unit is Unit.MG else ml, corrected=corrected, reason=reason or "",
                     to_location=original.to_location.name if original.to_location else None, container_taken_ml=taken),
        balances={(lot.lot_number, p.name): balance_ml(lot, p) for p in places}, lot=lot_info(lot)))
    after = {d.location: d.balance_after.ml for d in plan.deltas}
    row = write_entry(
        by=by, patient=original.session.patient_id if original.session else None, clinic=clinic,
        kind=EntryKind.CORRECTION, lot=lot, location=original.location, to_location=original.to_location,
        container=original.container, session=original.session, corrects=original, unit=original.unit,
        quantity_ml=plan.change.ml, quantity_mg=plan.change.mg, corrected_ml=plan.corrected.ml,
        corrected_mg=plan.corrected.mg, reason=reason.strip(), at=at,
        balance_after_ml=after.get(original.location.name, balance_ml(lot, original.location)),
        to_balance_after_ml=after.get(original.to_location.name) if original.to_location else None,
    )
    _follow_containers(original, plan.change.ml, plan.corrected.ml)
    return row


def _follow_containers(original: LedgerEntry, change_ml: Decimal, corrected_ml: Decimal) -> None:
    """Bring the containers in line with the corrected entry."""
    if original.kind == EntryKind.RECEIPT:
        _recount_receipt(original, int(change_ml / original.lot.product.container_ml))
    elif original.kind == EntryKind.TRANSFER and corrected_ml == 0 and original.container is not None:
        Container.objects.filter(pk=original.container.pk, location=original.to_location).update(location=original.location)
    elif original.container is not None:
        refresh_state(original.container)


def _recount_receipt(receipt: LedgerEntry, change: int) -> None:
    """Add the containers a receipt gained, or void sealed ones it never had."""
    if change > 0:
        add_containers(receipt, change)
        return
    sealed = list(Container.objects.filter(receipt=receipt, state=ContainerState.SEALED, location=receipt.location)
                  .order_by("-code")[: -change])
    if len(sealed) < -change:
        raise ServiceError(f"Only {len(sealed)} sealed containers of this receipt remain at {receipt.location}; "
                           f"{-change} cannot be taken off it. Correct the draws or transfers of its containers first.")
    Container.objects.filter(pk__in=[c.pk for c in sealed]).update(state=ContainerState.VOID)
