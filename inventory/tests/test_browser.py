"""Browser walk in headless Chromium: receive, draw for a session, witnessed waste, count, resolve, print the inventory."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from accounts import services as accounts
from accounts.choices import Role
from inventory import services
from inventory.models import Container, Discrepancy, LedgerEntry
from ketacare.testing import PASSWORD, make_session, next_weekday_at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_out(page):
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()


def submit(page, name):
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()


def test_the_ledger_walk_from_receipt_to_a_printed_inventory(world, page, sign_in, live_server):
    officer = world.users[Role.INVENTORY_OFFICER]
    product = services.add_product(clinic=world.a, name="Ketamine HCl", ndc="99999-0101-10", strength_mg_per_ml=Decimal(10),
                                   container_ml=Decimal(10), by=officer)
    supplier = services.add_supplier(clinic=world.a, name="Synthetic Pharma Supply", address="1 Test Way",
                                     dea_number="AB1234563", by=officer)
    safe = services.add_location(clinic=world.a, name="Main safe", by=officer)
    accounts.create_staff(clinic=world.a, username="a_nurse2", password=PASSWORD, role=Role.NURSE, by="test")
    session = make_session(world, next_weekday_at(datetime.now(UTC)))

    # The inventory officer receives 3 vials.
    sign_in("a_inventory_officer")
    page.goto("/inventory/receive/")
    page.select_option("#id_product", str(product.pk))
    page.fill("#id_lot_number", "LOT-B1")
    page.fill("#id_expires_on", "2099-06-30")
    page.fill("#id_containers", "3")
    page.select_option("#id_supplier", str(supplier.pk))
    page.fill("#id_invoice", "INV-1001")
    page.select_option("#id_location", str(safe.pk))
    submit(page, "Record receipt")
    assert "Received 3 vials of lot LOT-B1" in page.inner_text(".messages")
    assert "300.00 mg" in page.inner_text("#lot-summary")
    sign_out(page)

    # A nurse draws 4 mL for the session, records 35 mg given, and wastes 5 mg before a witness.
    sign_in("a_nurse")
    page.goto(f"/inventory/draw/?session={session.pk}")
    vial = Container.objects.filter(lot__lot_number="LOT-B1").order_by("code").first()
    page.select_option("#id_container", str(vial.pk))
    page.fill("#id_ml", "4")
    submit(page, "Record draw")
    assert "Drew 4.00 mL (40.00 mg)" in page.inner_text(".messages")
    with page.expect_navigation():
        page.get_by_role("link", name="Administration").last.click()
    page.fill("#id_mg", "35")
    submit(page, "Record administration")
    with page.expect_navigation():
        page.get_by_role("link", name="Waste with witness").last.click()
    page.fill("#id_mg", "5")
    page.fill("#id_witness", "a_nurse2")
    page.fill("#id_witness_password", "not-her-password")
    submit(page, "Record witnessed waste")
    assert "wrong password" in page.inner_text(".errors")
    page.fill("#id_witness_password", PASSWORD)
    submit(page, "Record witnessed waste")
    assert "a_nurse2" in page.inner_text("#witnesses")
    assert LedgerEntry.objects.get(kind="waste").witness.username == "a_nurse2"

    # The nurse counts: 2 sealed vials and the opened one, estimated 0.5 mL short.
    page.goto("/inventory/count/")
    page.select_option("#id_lot", label=str(vial.lot))
    page.select_option("#id_location", str(safe.pk))
    page.fill("#id_sealed_containers", "2")
    page.fill("#id_opened_containers", "1")
    page.fill("#id_opened_ml", "5.50")
    page.check("#id_estimated")
    submit(page, "Record count")
    assert "A discrepancy of -0.50 mL is open" in page.inner_text(".messages")
    sign_out(page)

    # The officer resolves the discrepancy from the ledger home, then takes and prints the initial inventory.
    sign_in("a_inventory_officer")
    page.goto("/inventory/")
    with page.expect_navigation():
        page.get_by_role("link", name="Resolve").first.click()
    page.fill("#id_explanation", "The opened vial was re-measured with a syringe: 6.00 mL, the count was an estimate.")
    submit(page, "Resolve")
    assert not Discrepancy.objects.get().is_open
    page.goto("/inventory/inventories/new/")
    page.fill("#id_line-0-opened_ml", "6")
    submit(page, "Record inventory")
    assert "Initial inventory recorded." in page.inner_text(".messages")
    assert "LOT-B1" in page.inner_text("table")
    assert page.get_by_role("button", name="Print").is_visible()
    page.emulate_media(media="print")
    assert not page.locator(".topbar").is_visible() and not page.get_by_role("button", name="Print").is_visible()
    assert page.locator(".ledger-print-head").is_visible()
    assert not [e for e in page.csp_errors if "Content Security Policy" in e]
