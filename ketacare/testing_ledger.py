"""Test builder: ketamine in a clinic's safe and a draw for a session, through the ledger services.

Lives outside `infusions` and `inventory` so either app's tests can draw before a start
(ADR 0015) without one app's tests importing the other's.
"""

from datetime import UTC, datetime, timedelta
from decimal import ROUND_CEILING, Decimal
from typing import Any

from accounts.choices import Role
from accounts.models import Membership

D = Decimal


def _officer(clinic: Any) -> Any:
    from accounts import services as accounts

    found = Membership.objects.filter(clinic=clinic, role=Role.INVENTORY_OFFICER, active=True).select_related("user").first()
    if found is not None:
        return found.user
    return accounts.create_staff(clinic=clinic, username=f"{clinic.slug}_officer_t", password="Test-pass-1234!",  # noqa: S106
                                 role=Role.INVENTORY_OFFICER, by="test")


def safe_stock(clinic: Any, *, vials: int = 10) -> Any:
    """A 10 mg/mL x 10 mL lot of `vials` vials in the clinic's 'Main safe' (added on first use)."""
    from inventory import services
    from inventory.models import Location, Lot, Product, Supplier

    officer = _officer(clinic)
    product = Product.objects.filter(clinic=clinic, ndc="99999-0101-10").first() or services.add_product(
        clinic=clinic, name="Ketamine HCl", ndc="99999-0101-10", strength_mg_per_ml=D(10), container_ml=D(10), by=officer)
    supplier = Supplier.objects.filter(clinic=clinic).first() or services.add_supplier(
        clinic=clinic, name="Synthetic Pharma Supply", address="1 Test Way, Springfield", dea_number="AB1234563", by=officer)
    safe = Location.objects.filter(clinic=clinic, name="Main safe").first() or services.add_location(
        clinic=clinic, name="Main safe", by=officer)
    number = f"T{Lot.objects.filter(clinic=clinic).count() + 1:03d}"
    receipt = services.receive_stock(product=product, supplier=supplier, invoice=f"INV-{number}", lot_number=number,
                                     expires_on=datetime.now(UTC).date() + timedelta(days=365), containers=vials,
                                     location=safe, by=officer)
    return receipt.lot


def draw_for(session: Any, *, by: Any, mg: Decimal | None = None, at: datetime | None = None) -> list[Any]:
    """Draw `mg` (default the session's verified dose) at 10 mg/mL for the session, vial after vial."""
    from inventory import services
    from inventory.queries import container_remaining_ml

    need = ((D(mg) if mg is not None else D(session.total_mg)) / 10).quantize(D("0.01"), ROUND_CEILING)
    lot = safe_stock(session.clinic, vials=int(need // 10) + 1)
    entries = []
    for vial in lot.containers.order_by("code"):
        if need <= 0:
            break
        take = min(need, container_remaining_ml(vial))
        entries.append(services.draw_for_session(session=session, container=vial, ml=take, at=at, by=by))
        need -= take
    return entries
