"""Reference records of the ledger: products, suppliers, storage locations (inventory officer)."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction

from accounts.actors import Actor
from accounts.models import Clinic
from accounts.permissions import Perm
from accounts.queries import require
from audit import services as audit
from clinical.ledger import LotInfo
from clinical.ledger.registrants import check_dea_number
from toolkit.errors import ServiceError

from ..models import Location, Product, Supplier
from .common import kernel, now


def _positive(value: Any, field: str, label: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ServiceError(f"{label} must be a number.", {field: "Not a number."}) from None
    if not number.is_finite() or number <= 0:
        raise ServiceError(f"{label} must be above 0.", {field: "Must be above 0."})
    return number


def _text(value: str, field: str, label: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ServiceError(f"{label} is required.", {field: "Required."})
    return text


def add_product(*, clinic: Clinic, name: str, ndc: str, strength_mg_per_ml: Any, container_ml: Any, by: Actor) -> Product:
    """Add a ketamine presentation (substance, form, strength and container volume)."""
    require(Perm.KEEP_LEDGER, by, clinic, to="add products")
    strength = _positive(strength_mg_per_ml, "strength_mg_per_ml", "The strength")
    volume = _positive(container_ml, "container_ml", "The container volume")
    kernel(lambda: LotInfo(strength_mg_per_ml=strength, expires_on=now().date(), container_ml=volume))
    values = {"name": _text(name, "name", "The name"), "ndc": _text(ndc, "ndc", "The NDC")}
    try:
        with transaction.atomic():
            product = Product.objects.create(clinic=clinic, strength_mg_per_ml=strength, container_ml=volume, **values)
            audit.record(action="ledger_product_add", by=by, clinic=clinic, obj=product,
                         detail={"ndc": product.ndc, "strength_mg_per_ml": str(strength), "container_ml": str(volume)})
    except IntegrityError:
        raise ServiceError(f"A product with NDC {values['ndc']} is already on record.", {"ndc": "Already on record."}) from None
    return product


def add_supplier(*, clinic: Clinic, name: str, address: str, dea_number: str, by: Actor) -> Supplier:
    """Add a supplier with the name, address and DEA number a receipt must name (21 CFR 1304.22(c))."""
    require(Perm.KEEP_LEDGER, by, clinic, to="add suppliers")
    try:
        number = check_dea_number(dea_number or "")
    except ValueError as exc:
        raise ServiceError(str(exc), {"dea_number": str(exc)}) from None
    values = {"name": _text(name, "name", "The name"), "address": _text(address, "address", "The address")}
    try:
        with transaction.atomic():
            supplier = Supplier.objects.create(clinic=clinic, dea_number=number, **values)
            audit.record(action="ledger_supplier_add", by=by, clinic=clinic, obj=supplier, detail={"dea_number": number})
    except IntegrityError:
        raise ServiceError(f"A supplier with DEA number {number} is already on record.", {"dea_number": "Already on record."}) from None
    return supplier


def add_location(*, clinic: Clinic, name: str, by: Actor) -> Location:
    """Add a storage location (a safe, a locked cart)."""
    require(Perm.KEEP_LEDGER, by, clinic, to="add storage locations")
    text = _text(name, "name", "The name")
    try:
        with transaction.atomic():
            location = Location.objects.create(clinic=clinic, name=text)
            audit.record(action="ledger_location_add", by=by, clinic=clinic, obj=location)
    except IntegrityError:
        raise ServiceError(f"A location called {text} already exists.", {"name": "Already exists."}) from None
    return location
