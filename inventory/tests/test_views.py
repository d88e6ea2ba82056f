"""Ledger pages: who may open and post them, what they record, and the 404 of another clinic."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.choices import Role
from audit.models import AuditEvent
from inventory import services
from inventory.models import Container, Discrepancy, LedgerEntry
from inventory.services import CountLine
from ketacare.testing import PASSWORD

from .conftest import build_stock

pytestmark = pytest.mark.django_db
D = Decimal
R = Role

READ_PAGES = ["inventory:home", "inventory:lots", "inventory:discrepancies", "inventory:reports",
              "inventory:report_dispensing", "inventory:report_receipts", "inventory:report_disposals",
              "inventory:report_counts", "inventory:reconciliation", "inventory:inventories"]
HANDLER_PAGES = ["inventory:draw", "inventory:administer", "inventory:waste", "inventory:count"]
OFFICER_PAGES = ["inventory:receive", "inventory:destroy", "inventory:loss", "inventory:transfer",
                 "inventory:inventory_new", "inventory:setup"]
READERS = {R.INVENTORY_OFFICER, R.NURSE, R.PRESCRIBER, R.CLINIC_ADMIN}


@pytest.fixture
def history(world, stock, session, people):
    """A draw, administration, witnessed waste and a count with a discrepancy."""
    services.draw_for_session(session=session, container=stock.vials[0], ml=D(4), by=people.nurse)
    services.record_administration(session=session, mg=D(35), by=people.nurse)
    services.record_waste(session=session, mg=D(5), manner="bin", witness=people.witness, witness_password=PASSWORD,
                          by=people.nurse)
    services.record_count(line=CountLine(stock.lot, stock.safe, sealed_containers=4), by=people.nurse)
    return stock


def object_pages(history, session):
    found = Discrepancy.objects.get()
    return [("inventory:lot", {"lot_id": history.lot.pk}), ("inventory:entry", {"entry_id": history.receipt.pk}),
            ("inventory:session", {"session_id": session.pk})], [
            ("inventory:resolve", {"discrepancy_id": found.pk}), ("inventory:correct", {"entry_id": history.receipt.pk})]


@pytest.mark.parametrize("role", list(R.values))
def test_every_ledger_page_answers_each_role_as_the_role_matrix_says(client_for, history, session, role):
    client = client_for(role)
    reads, officer_objects = object_pages(history, session)
    for name in READ_PAGES:
        assert client.get(reverse(name)).status_code == (200 if role in READERS else 403), name
    for name, kwargs in reads:
        assert client.get(reverse(name, kwargs=kwargs)).status_code == (200 if role in READERS else 403), name
    for name in HANDLER_PAGES:
        wanted = 200 if role in (R.NURSE, R.INVENTORY_OFFICER) else 403
        assert client.get(reverse(name)).status_code == wanted, name
        assert client.post(reverse(name), {}).status_code == (400 if wanted == 200 else 403), name
    for name in OFFICER_PAGES:
        wanted = 200 if role == R.INVENTORY_OFFICER else 403
        assert client.get(reverse(name)).status_code == wanted, name
    for name, kwargs in officer_objects:
        wanted = 200 if role == R.INVENTORY_OFFICER else 403
        assert client.get(reverse(name, kwargs=kwargs)).status_code == wanted, name


def test_anonymous_visitors_are_sent_to_sign_in(client, history):
    response = client.get(reverse("inventory:home"))
    assert response.status_code == 302 and reverse("accounts:login") in response.url


def test_another_clinics_objects_are_not_found(world, client, history, session):
    client.force_login(world.b_users[R.INVENTORY_OFFICER])
    reads, officer_objects = object_pages(history, session)
    for name, kwargs in reads + officer_objects:
        assert client.get(reverse(name, kwargs=kwargs)).status_code == 404, name
    assert client.post(reverse("inventory:correct", kwargs={"entry_id": history.receipt.pk}),
                       {"corrected": "0", "reason": "x"}).status_code == 404


def test_a_nurse_draws_for_a_session_through_the_page(client_for, stock, session):
    response = client_for(R.NURSE).post(reverse("inventory:draw"), {
        "session": session.pk, "container": stock.vials[0].pk, "ml": "3.50"})
    assert response.status_code == 302
    entry = LedgerEntry.objects.get(kind="draw")
    assert (entry.quantity_ml, entry.session) == (D("3.50"), session)


def test_a_refused_draw_shows_the_kernel_message_and_writes_nothing(client_for, stock, session):
    response = client_for(R.NURSE).post(reverse("inventory:draw"), {
        "session": session.pk, "container": stock.vials[0].pk, "ml": "12"})
    assert response.status_code == 400
    assert b"more than it holds" in response.content
    assert not LedgerEntry.objects.filter(kind="draw").exists()


def test_the_waste_form_takes_the_witness_username_and_password(client_for, stock, session, people):
    services.draw_for_session(session=session, container=stock.vials[0], ml=D(4), by=people.nurse)
    client = client_for(R.NURSE)
    form = {"session": session.pk, "mg": "5", "manner": "bin", "witness": "a_nurse2", "witness_password": "wrong-one"}
    refused = client.post(reverse("inventory:waste"), form)
    assert refused.status_code == 400 and b"wrong password" in refused.content
    unknown = client.post(reverse("inventory:waste"), {**form, "witness": "nobody"})
    assert unknown.status_code == 400 and b"No active staff member" in unknown.content
    done = client.post(reverse("inventory:waste"), {**form, "witness_password": PASSWORD})
    assert done.status_code == 302
    waste = LedgerEntry.objects.get(kind="waste")
    detail = client.get(done.url)
    assert waste.witness == people.witness and b"a_nurse2" in detail.content


def test_a_nurse_counts_and_the_officer_resolves_the_discrepancy(client_for, stock):
    counted = client_for(R.NURSE).post(reverse("inventory:count"), {
        "lot": stock.lot.pk, "location": stock.safe.pk, "sealed_containers": "4", "opened_containers": "0",
        "opened_ml": "0"})
    assert counted.status_code == 302
    found = Discrepancy.objects.get()
    assert client_for(R.NURSE).post(reverse("inventory:resolve", kwargs={"discrepancy_id": found.pk}),
                                    {"explanation": "x" * 20}).status_code == 403
    done = client_for(R.INVENTORY_OFFICER).post(reverse("inventory:resolve", kwargs={"discrepancy_id": found.pk}),
                                                {"explanation": "One vial was in the fridge, counted later."})
    assert done.status_code == 302 and not Discrepancy.objects.get().is_open


def test_the_officer_receives_destroys_and_corrects_through_the_pages(client_for, stock, people):
    client = client_for(R.INVENTORY_OFFICER)
    received = client.post(reverse("inventory:receive"), {
        "product": stock.product50.pk, "lot_number": "B50", "expires_on": "2099-01-31", "containers": "2",
        "supplier": stock.supplier.pk, "invoice": "INV-77", "location": stock.safe.pk})
    assert received.status_code == 302
    vial = Container.objects.filter(lot__lot_number="B50").first()
    destroyed = client.post(reverse("inventory:destroy"), {
        "containers": [vial.pk], "method": "Denaturing kit", "place": "Clinic", "witness": "a_nurse",
        "witness_password": PASSWORD, "second_witness": "a_nurse2", "second_witness_password": PASSWORD})
    assert destroyed.status_code == 302
    receipt = LedgerEntry.objects.get(kind="receipt", lot__lot_number="B50")
    fixed = client.post(reverse("inventory:correct", kwargs={"entry_id": receipt.pk}),
                        {"corrected": "10", "reason": "Only one vial was delivered"})
    assert fixed.status_code == 302
    assert list(Container.objects.filter(lot__lot_number="B50").values_list("state", flat=True)) == ["destroyed", "void"]
    refused = client.post(reverse("inventory:correct", kwargs={"entry_id": receipt.pk}),
                          {"corrected": "0", "reason": "No vial was delivered"})
    assert refused.status_code == 400 and b"below zero" in refused.content


def test_reports_download_as_csv_with_the_dispenser_record_fields(client_for, history):
    response = client_for(R.PRESCRIBER).get(reverse("inventory:report_dispensing") + "?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0].split(",")[:10] == ["Date", "Substance", "Form", "Strength", "Lot", "Patient", "MRN",
                                        "Amount (mg)", "Amount (mL)", "Given by"]
    assert "T-0001" in lines[1] and "35.00 mg" in lines[1] and "a_nurse" in lines[1]
    assert AuditEvent.objects.filter(action="ledger_report_export").exists()


def test_the_disposals_report_names_the_witness(client_for, history):
    body = client_for(R.CLINIC_ADMIN).get(reverse("inventory:report_disposals") + "?format=csv").content.decode()
    assert "Waste" in body and "a_nurse2" in body


def test_a_report_with_a_bad_date_is_refused(client_for, history):
    assert client_for(R.PRESCRIBER).get(reverse("inventory:report_receipts") + "?start=yesterday").status_code == 400


def test_the_home_page_shows_when_the_next_inventory_is_due(client_for, stock):
    page = client_for(R.NURSE).get(reverse("inventory:home")).content.decode()
    assert "Next initial inventory due" in page
    services.take_inventory(clinic=stock.clinic, kind="initial", business_time="opening",
                            lines=[CountLine(stock.lot, stock.safe, sealed_containers=5)], by=stock.officer)
    page = client_for(R.NURSE).get(reverse("inventory:home")).content.decode()
    assert "Last inventory" in page and "Next biennial inventory due" in page


def test_the_lot_history_accounts_for_every_milligram(client_for, history):
    page = client_for(R.PRESCRIBER).get(reverse("inventory:lot", kwargs={"lot_id": history.lot.pk})).content.decode()
    assert "500.00 mg" in page and "460.00 mg" in page and "0 mg" in page
    assert AuditEvent.objects.filter(action="ledger_lot_view").exists()


def test_the_inventory_page_records_a_complete_inventory(client_for, stock):
    client = client_for(R.INVENTORY_OFFICER)
    form = {"kind": "initial", "business_time": "opening", "line-TOTAL_FORMS": "1", "line-INITIAL_FORMS": "1",
            "line-0-lot": stock.lot.pk, "line-0-location": stock.safe.pk, "line-0-sealed_containers": "5",
            "line-0-opened_containers": "0", "line-0-opened_ml": "0"}
    done = client.post(reverse("inventory:inventory_new"), form)
    assert done.status_code == 302
    printable = client.get(done.url)
    assert b"Initial inventory" in printable.content and b"data-print" in printable.content


def test_the_setup_page_refuses_a_bad_dea_number(client_for, world):
    response = client_for(R.INVENTORY_OFFICER).post(reverse("inventory:setup"), {
        "which": "supplier", "supplier-name": "X", "supplier-address": "Y", "supplier-dea_number": "AB1234564"})
    assert response.status_code == 400 and b"check digit" in response.content


def test_build_stock_in_clinic_b_is_invisible_in_clinic_a(world, client_for):
    build_stock(world, world.b)
    page = client_for(R.INVENTORY_OFFICER).get(reverse("inventory:home")).content.decode()
    assert "No stock on the books" in page
