"""Stock coming in, moving and leaving other than through a session: receipt, destruction, loss, transfer."""

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError

from accounts.models import Clinic, User
from accounts.permissions import Perm
from accounts.queries import require
from clinical.ledger import EntryKind as K
from clinical.ledger import LedgerEntryIn
from toolkit.errors import ServiceError

from ..choices import IN_STOCK, ContainerState, EntryKind, LossCause
from ..models import Container, LedgerEntry, Location, Lot, Product, Supplier
from ..queries import container_remaining_ml
from .common import (
    confirm_witnesses,
    ledger_transaction,
    lock_lots,
    same_clinic,
    validate,
    when,
    write_entry,
)
from .containers import refresh_state


def receive_stock(
    *, product: Product, supplier: Supplier, invoice: str, lot_number: str, expires_on: date, containers: int,
    location: Location, at: datetime | None = None, note: str = "", expired_reason: str = "", by: User,
) -> LedgerEntry:
    """Record containers received from a supplier into a location (21 CFR 1304.22(c)).

    A lot already past its expiry is refused unless the inventory officer gives `expired_reason`.
    """
    clinic = product.clinic
    require(Perm.KEEP_LEDGER, by, clinic, to="receive stock")
    same_clinic(clinic, supplier, location)
    if not (invoice or "").strip():
        raise ServiceError("Give the invoice or packing-slip number of this receipt.", {"invoice": "Required."})
    if not (lot_number or "").strip():
        raise ServiceError("Give the manufacturer's lot number.", {"lot_number": "Required."})
    if isinstance(containers, bool) or not isinstance(containers, int):
        raise ServiceError("The number of containers must be a whole number.", {"containers": "Whole number."})
    try:
        return _receive(product=product, supplier=supplier, invoice=invoice.strip(), lot_number=lot_number.strip(),
                        expires_on=expires_on, containers=containers, location=location, at=at, note=note,
                        reason=(expired_reason or "").strip()[:2000], by=by)
    except IntegrityError:
        raise ServiceError("Another receipt of this lot was being saved at the same moment; try again.") from None


@ledger_transaction
def _receive(*, product: Product, supplier: Supplier, invoice: str, lot_number: str, expires_on: date,
             containers: int, location: Location, at: datetime | None, note: str, reason: str, by: User) -> LedgerEntry:
    clinic = product.clinic
    at, on, today = when(at, clinic)
    lot = _lot(product, lot_number, expires_on)
    lot = lock_lots([lot])[lot.pk]
    entry_in = LedgerEntryIn(kind=K.RECEIPT, lot=lot.lot_number, location=location.name,
                             quantity=containers * product.container_ml, actor_id=by.username, occurred_on=on,
                             containers=containers, supplier_ref=str(supplier), reason=reason or None)
    movement = _validate_receipt(entry_in, lot, location, today)
    entry = write_entry(movement=movement, by=by, clinic=clinic, kind=EntryKind.RECEIPT, lot=lot, location=location,
                        supplier=supplier, invoice=invoice, containers_count=containers, at=at, note=note.strip(),
                        reason=reason)
    add_containers(entry, containers)
    return entry


def _validate_receipt(entry_in: LedgerEntryIn, lot: Lot, location: Location, today: Any) -> Any:
    """The kernel's check; an expired lot's refusal lands on the reason field."""
    try:
        return validate(entry_in, lot, [location], today)
    except ServiceError as exc:
        if "expired on" in exc.message:
            raise ServiceError(exc.message, {"expired_reason": "Required for a lot already expired."}) from None
        raise


def _lot(product: Product, lot_number: str, expires_on: date) -> Lot:
    """The product's lot of that number, created on first receipt; its expiry must agree."""
    lot = Lot.objects.filter(clinic=product.clinic, product=product, lot_number=lot_number).first()
    if lot is None:
        return Lot.objects.create(clinic=product.clinic, product=product, lot_number=lot_number, expires_on=expires_on)
    if lot.expires_on != expires_on:
        raise ServiceError(f"Lot {lot_number} is on record as expiring {lot.expires_on}, not {expires_on}; check the label.",
                           {"expires_on": f"On record: {lot.expires_on}."})
    return lot


def add_containers(receipt: LedgerEntry, how_many: int) -> list[Container]:
    """Create the receipt's containers, sealed, numbered on from the lot's last one."""
    lot = receipt.lot
    start = Container.objects.filter(lot=lot).count() + 1
    return Container.objects.bulk_create([
        Container(clinic=lot.clinic, lot=lot, code=f"{lot.lot_number}-{n:03d}", location=receipt.location, receipt=receipt)
        for n in range(start, start + how_many)
    ])


def _in_stock(clinic: Clinic, containers: Sequence[Container]) -> list[Container]:
    if not containers:
        raise ServiceError("Choose at least one container.", {"containers": "Required."})
    same_clinic(clinic, *containers)
    fresh = list(Container.objects.filter(pk__in=[c.pk for c in containers]).select_related("lot__product", "location"))
    for c in fresh:
        if c.state not in IN_STOCK:
            raise ServiceError(f"Vial {c.code} is {c.get_state_display().lower()}; it is no longer in stock.",
                               {"containers": f"{c.code} is not in stock."})
    return fresh


def destroy_stock(
    *, containers: Sequence[Container], method: str, place: str, witnesses: Sequence[tuple[Any, str]],
    reason: str = "", report_ref: str = "", at: datetime | None = None, by: User,
) -> list[LedgerEntry]:
    """Destroy containers before two employee witnesses, with method and place (DEA Form 41)."""
    clinic = by_clinic(containers)
    require(Perm.KEEP_LEDGER, by, clinic, to="destroy stock")
    people = [w for w, _ in witnesses]
    confirm_witnesses(clinic=clinic, kind=K.DESTRUCTION, by=by, witnesses=witnesses)
    return _destroy(clinic=clinic, containers=containers, method=method, place=place, people=people, reason=reason,
                    report_ref=report_ref, at=at, by=by)


@ledger_transaction
def _destroy(*, clinic: Clinic, containers: Sequence[Container], method: str, place: str, people: list[Any], reason: str,
             report_ref: str, at: datetime | None, by: User) -> list[LedgerEntry]:
    at, on, today = when(at, clinic)
    lots = lock_lots([c.lot for c in containers])
    written = []
    for c in _in_stock(clinic, containers):
        lot = lots[c.lot_id]
        entry_in = LedgerEntryIn(kind=K.DESTRUCTION, lot=lot.lot_number, location=c.location.name,
                                 quantity=_remaining(c), actor_id=by.username, occurred_on=on, container_id=c.code,
                                 witness_ids=tuple(w.username for w in people), method=method.strip(), place=place.strip(),
                                 report_ref=report_ref.strip() or None)
        movement = validate(entry_in, lot, [c.location], today)
        entry = write_entry(movement=movement, by=by, clinic=clinic, kind=EntryKind.DESTRUCTION, lot=lot,
                            location=c.location, container=c, witness=people[0], second_witness=people[1],
                            method=method.strip(), place=place.strip(), report_ref=report_ref.strip(),
                            reason=reason.strip(), at=at)
        refresh_state(c)
        written.append(entry)
    return written


def _remaining(container: Container) -> Decimal:
    left = container_remaining_ml(container)
    if left <= 0:
        raise ServiceError(f"Vial {container.code} holds nothing more; there is nothing to move or destroy.")
    return left


def by_clinic(containers: Sequence[Container]) -> Any:
    if not containers:
        raise ServiceError("Choose at least one container.", {"containers": "Required."})
    return containers[0].clinic


def record_loss(
    *, container: Container, report_ref: str, cause: str = LossCause.LOSS, ml: Decimal | None = None,
    note: str = "", at: datetime | None = None, by: User,
) -> LedgerEntry:
    """Record a loss or theft from a container, with the DEA Form 106 reference (all that remains by default)."""
    require(Perm.KEEP_LEDGER, by, container.clinic, to="record a loss or theft")
    if cause not in LossCause.values:
        raise ServiceError("Say whether this is a loss, a theft or a breakage.", {"cause": "Choose one."})
    return _lose(container=container, report_ref=report_ref, cause=cause, ml=ml, note=note, at=at, by=by)


@ledger_transaction
def _lose(*, container: Container, report_ref: str, cause: str, ml: Decimal | None, note: str,
          at: datetime | None, by: User) -> LedgerEntry:
    clinic = container.clinic
    at, on, today = when(at, clinic)
    lot = lock_lots([container.lot])[container.lot_id]
    (c,) = _in_stock(clinic, [container])
    left = _remaining(c)
    quantity = left if ml is None else ml
    entry_in = LedgerEntryIn(kind=K.LOSS_OR_THEFT, lot=lot.lot_number, location=c.location.name, quantity=quantity,
                             actor_id=by.username, occurred_on=on, container_id=c.code,
                             report_ref=(report_ref or "").strip() or None)
    taken = lot.product.container_ml - left
    movement = validate(entry_in, lot, [c.location], today, taken_ml=taken)
    if movement.quantity.ml > left:
        raise ServiceError(f"Vial {c.code} holds {left} mL; a loss of {movement.quantity.ml} mL is more than it holds.",
                           {"ml": f"At most {left} mL."})
    entry = write_entry(movement=movement, by=by, clinic=clinic, kind=EntryKind.LOSS_OR_THEFT, lot=lot,
                        location=c.location, container=c, report_ref=report_ref.strip(), loss_cause=cause,
                        note=note.strip(), at=at)
    refresh_state(c)
    return entry


@ledger_transaction
def transfer(*, containers: Sequence[Container], to_location: Location, at: datetime | None = None,
             note: str = "", by: User) -> list[LedgerEntry]:
    """Move containers, with what each still holds, to another storage location."""
    clinic = by_clinic(containers)
    require(Perm.KEEP_LEDGER, by, clinic, to="transfer stock")
    same_clinic(clinic, to_location)
    at, on, today = when(at, clinic)
    lots = lock_lots([c.lot for c in containers])
    written = []
    for c in _in_stock(clinic, containers):
        lot = lots[c.lot_id]
        entry_in = LedgerEntryIn(kind=K.TRANSFER, lot=lot.lot_number, location=c.location.name, quantity=_remaining(c),
                                 actor_id=by.username, occurred_on=on, container_id=c.code, to_location=to_location.name)
        movement = validate(entry_in, lot, [c.location, to_location], today)
        written.append(write_entry(movement=movement, by=by, clinic=clinic, kind=EntryKind.TRANSFER, lot=lot,
                                   location=c.location, to_location=to_location, container=c, note=note.strip(), at=at))
        Container.objects.filter(pk=c.pk).update(location=to_location)
    return written


__all__ = ["ContainerState", "add_containers", "destroy_stock", "receive_stock", "record_loss", "transfer"]
