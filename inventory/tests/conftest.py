"""Ledger fixtures: a stocked safe built through the services, and an infusion session to draw for."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest

from accounts.choices import Role
from inventory import services
from inventory.models import Container
from ketacare.testing import make_session, next_weekday_at

D = Decimal


def build_stock(world, clinic=None, *, vials=5):
    clinic = clinic or world.a
    officer = world.users[Role.INVENTORY_OFFICER] if clinic == world.a else world.b_users[Role.INVENTORY_OFFICER]
    s = SimpleNamespace(clinic=clinic, officer=officer)
    s.product = services.add_product(clinic=clinic, name="Ketamine HCl", ndc="99999-0101-10", strength_mg_per_ml=D(10),
                                     container_ml=D(10), by=officer)
    s.product50 = services.add_product(clinic=clinic, name="Ketamine HCl", ndc="99999-0105-10", strength_mg_per_ml=D(50),
                                       container_ml=D(10), by=officer)
    s.supplier = services.add_supplier(clinic=clinic, name="Synthetic Pharma Supply", address="1 Test Way, Springfield",
                                       dea_number="AB1234563", by=officer)
    s.safe = services.add_location(clinic=clinic, name="Main safe", by=officer)
    s.cart = services.add_location(clinic=clinic, name="Procedure cart", by=officer)
    s.receipt = services.receive_stock(product=s.product, supplier=s.supplier, invoice="INV-1", lot_number="L1",
                                       expires_on=datetime.now(UTC).date() + timedelta(days=365), containers=vials,
                                       location=s.safe, by=officer)
    s.lot = s.receipt.lot
    s.vials = list(Container.objects.filter(lot=s.lot).order_by("code"))
    return s


@pytest.fixture
def stock(world):
    return build_stock(world)


@pytest.fixture
def session(world):
    return make_session(world, next_weekday_at(datetime.now(UTC)))


@pytest.fixture
def people(world):
    """The nurse who records, a second nurse who witnesses, and the officer."""
    from accounts import services as accounts
    from ketacare.testing import PASSWORD

    second = accounts.create_staff(clinic=world.a, username="a_nurse2", password=PASSWORD, role=Role.NURSE, by="test")
    return SimpleNamespace(nurse=world.users[Role.NURSE], witness=second, officer=world.users[Role.INVENTORY_OFFICER])
