"""Every ledger service: what it writes, what it refuses, its audit event and its rollback."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from accounts.choices import Role
from accounts.models import User
from audit.models import AuditEvent
from inventory import services
from inventory.choices import ContainerState
from inventory.models import Container, Count, Discrepancy, LedgerEntry
from inventory.queries import balance_ml, session_lots
from inventory.services import CountLine
from ketacare.testing import PASSWORD
from toolkit.errors import ServiceError

from .conftest import build_stock

pytestmark = pytest.mark.django_db
D = Decimal


def entries_count() -> int:
    return LedgerEntry.objects.count()


# --- receipt ---------------------------------------------------------------------------------------

def test_receipt_creates_the_lot_its_sealed_vials_and_the_balance(stock):
    assert stock.receipt.quantity_ml == D("50.00") and stock.receipt.quantity_mg == D("500.00")
    assert stock.receipt.balance_after_ml == D("50.00")
    assert [v.code for v in stock.vials] == ["L1-001", "L1-002", "L1-003", "L1-004", "L1-005"]
    assert {v.state for v in stock.vials} == {ContainerState.SEALED}
    event = AuditEvent.objects.get(action="ledger_receipt")
    assert event.detail["quantity_ml"] == "50.00" and event.object_id == str(stock.receipt.pk)


def test_a_second_receipt_of_the_same_lot_numbers_its_vials_on(stock):
    services.receive_stock(product=stock.product, supplier=stock.supplier, invoice="INV-2", lot_number="L1",
                           expires_on=stock.lot.expires_on, containers=2, location=stock.safe, by=stock.officer)
    assert balance_ml(stock.lot, stock.safe) == D("70.00")
    assert Container.objects.filter(lot=stock.lot).order_by("code").last().code == "L1-007"


def test_receipt_refuses_a_lot_whose_expiry_disagrees_with_the_record(stock):
    with pytest.raises(ServiceError, match="on record as expiring"):
        services.receive_stock(product=stock.product, supplier=stock.supplier, invoice="INV-2", lot_number="L1",
                               expires_on=stock.lot.expires_on + timedelta(days=1), containers=1, location=stock.safe,
                               by=stock.officer)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("invoice", " ", "invoice"), ("containers", 0, "at least 1 container"), ("containers", 1.5, "whole number"),
])
def test_receipt_refuses_incomplete_input(stock, field, value, message):
    values = {"product": stock.product, "supplier": stock.supplier, "invoice": "INV-9", "lot_number": "L9",
              "expires_on": stock.lot.expires_on, "containers": 2, "location": stock.safe, "by": stock.officer}
    values[field] = value
    before = entries_count()
    with pytest.raises(ServiceError, match=message):
        services.receive_stock(**values)
    assert entries_count() == before


def test_a_nurse_cannot_receive_stock(world, stock):
    with pytest.raises(ServiceError, match="does not allow you to receive stock"):
        services.receive_stock(product=stock.product, supplier=stock.supplier, invoice="X", lot_number="L2",
                               expires_on=stock.lot.expires_on, containers=1, location=stock.safe, by=world.nurse)


def test_a_supplier_needs_a_valid_dea_number(world):
    with pytest.raises(ServiceError, match="check digit"):
        services.add_supplier(clinic=world.a, name="X", address="Y", dea_number="AB1234564", by=world.inventory_officer)


# --- draw, administration, waste ---------------------------------------------------------------------

def test_a_draw_links_the_session_and_lowers_the_balance(world, stock, session):
    entry = services.draw_for_session(session=session, container=stock.vials[0], ml=D("4.00"), by=world.nurse)
    assert (entry.quantity_ml, entry.quantity_mg, entry.balance_after_ml) == (D("4.00"), D("40.00"), D("46.00"))
    assert entry.session == session and entry.actor == world.nurse
    assert Container.objects.get(pk=stock.vials[0].pk).state == ContainerState.OPEN
    event = AuditEvent.objects.get(action="ledger_draw")
    assert event.patient_id == session.patient_id


def test_drawing_a_vial_to_the_last_drop_leaves_it_empty(world, stock, session):
    services.draw_for_session(session=session, container=stock.vials[0], ml=D(10), by=world.nurse)
    assert Container.objects.get(pk=stock.vials[0].pk).state == ContainerState.EMPTY
    with pytest.raises(ServiceError, match="empty"):
        services.draw_for_session(session=session, container=stock.vials[0], ml=D(1), by=world.nurse)


def test_a_draw_beyond_what_the_vial_holds_is_refused_and_writes_nothing(world, stock, session):
    services.draw_for_session(session=session, container=stock.vials[0], ml=D(8), by=world.nurse)
    before = entries_count()
    with pytest.raises(ServiceError, match="holds 2.00 mL of its 10.00 mL"):
        services.draw_for_session(session=session, container=stock.vials[0], ml=D(3), by=world.nurse)
    assert entries_count() == before
    assert balance_ml(stock.lot, stock.safe) == D("42.00")


def test_an_expired_lot_cannot_be_drawn(world, stock, session):
    old = services.receive_stock(product=stock.product, supplier=stock.supplier, invoice="INV-3", lot_number="OLD",
                                 expires_on=datetime.now(UTC).date() - timedelta(days=2), containers=1,
                                 location=stock.safe, at=datetime.now(UTC) - timedelta(days=5), by=stock.officer)
    vial = Container.objects.get(lot=old.lot)
    with pytest.raises(ServiceError, match="expired on"):
        services.draw_for_session(session=session, container=vial, ml=D(1), by=world.nurse)


@pytest.mark.parametrize("ml", [D(0), D("-1"), D("0.005")])
def test_a_draw_of_an_impossible_amount_is_refused(world, stock, session, ml):
    with pytest.raises(ServiceError):
        services.draw_for_session(session=session, container=stock.vials[0], ml=ml, by=world.nurse)


def test_a_draw_dated_in_the_future_is_refused(world, stock, session):
    with pytest.raises(ServiceError, match="future"):
        services.draw_for_session(session=session, container=stock.vials[0], ml=D(1), by=world.nurse,
                                  at=datetime.now(UTC) + timedelta(hours=2))


@pytest.mark.parametrize("role", [Role.PRESCRIBER, Role.CLINIC_ADMIN, Role.THERAPIST, Role.FRONT_DESK, Role.RESEARCHER])
def test_only_nurses_and_the_officer_draw(world, stock, session, role):
    with pytest.raises(ServiceError, match="does not allow you to draw"):
        services.draw_for_session(session=session, container=stock.vials[0], ml=D(1), by=world.users[role])


def test_a_vial_of_another_clinic_cannot_be_drawn(world, stock, session):
    other = build_stock(world, world.b)
    with pytest.raises(ServiceError, match="not of this clinic"):
        services.draw_for_session(session=session, container=other.vials[0], ml=D(1), by=world.nurse)


def test_administration_and_witnessed_waste_account_for_the_draw(world, stock, session, people):
    services.draw_for_session(session=session, container=stock.vials[0], ml=D(4), by=people.nurse)
    (given,) = services.record_administration(session=session, mg=D(35), by=people.nurse)
    (waste,) = services.record_waste(session=session, mg=D(5), manner="Into the drug-waste bin", witness=people.witness,
                                     witness_password=PASSWORD, by=people.nurse)
    assert (given.quantity_mg, given.unit, given.balance_after_ml) == (D("35.00"), "mg", D("46.00"))
    assert waste.witness == people.witness and waste.method == "Into the drug-waste bin"
    (lot,) = session_lots(session)
    assert (lot.drawn_mg, lot.accounted_mg) == (D("40.00"), D("40.00"))
    assert AuditEvent.objects.get(action="ledger_waste").detail["witnesses"] == ["a_nurse2"]


def test_a_second_administration_for_the_same_session_is_refused(world, stock, session):
    services.draw_for_session(session=session, container=stock.vials[0], ml=D(4), by=world.nurse)
    services.record_administration(session=session, mg=D(35), by=world.nurse)
    with pytest.raises(ServiceError, match="already recorded"):
        services.record_administration(session=session, mg=D(35), by=world.nurse)


def test_administration_without_a_draw_is_refused(world, stock, session):
    with pytest.raises(ServiceError, match="Nothing was drawn"):
        services.record_administration(session=session, mg=D(35), by=world.nurse)


def test_mg_given_is_charged_to_the_lots_first_drawn_first(world, stock, session):
    other = services.receive_stock(product=stock.product, supplier=stock.supplier, invoice="INV-4", lot_number="L2",
                                   expires_on=stock.lot.expires_on, containers=1, location=stock.safe, by=stock.officer)
    services.draw_for_session(session=session, container=stock.vials[0], ml=D(3), by=world.nurse)
    services.draw_for_session(session=session, container=Container.objects.get(lot=other.lot), ml=D(2), by=world.nurse)
    shares = services.record_administration(session=session, mg=D(45), by=world.nurse)
    assert [(e.lot.lot_number, e.quantity_mg) for e in shares] == [("L1", D("30.00")), ("L2", D("15.00"))]


def test_waste_witnessed_by_the_nurse_herself_is_refused(world, stock, session, people):
    services.draw_for_session(session=session, container=stock.vials[0], ml=D(4), by=people.nurse)
    with pytest.raises(ServiceError, match="someone other than a_nurse"):
        services.record_waste(session=session, mg=D(5), manner="bin", witness=people.nurse, witness_password=PASSWORD,
                              by=people.nurse)


def test_waste_with_a_wrong_witness_password_is_refused_and_counted(world, stock, session, people):
    services.draw_for_session(session=session, container=stock.vials[0], ml=D(4), by=people.nurse)
    before = entries_count()
    with pytest.raises(ServiceError, match="wrong password") as refused:
        services.record_waste(session=session, mg=D(5), manner="bin", witness=people.witness,
                              witness_password="not-the-password", by=people.nurse)
    assert refused.value.field_errors == {"witness_password": "Wrong password."}
    assert entries_count() == before
    assert User.objects.get(pk=people.witness.pk).failed_logins == 1


def test_waste_witnessed_by_someone_not_authorised_is_refused(world, stock, session, people):
    services.draw_for_session(session=session, container=stock.vials[0], ml=D(4), by=people.nurse)
    with pytest.raises(ServiceError, match="not authorised to witness"):
        services.record_waste(session=session, mg=D(5), manner="bin", witness=world.front_desk,
                              witness_password=PASSWORD, by=people.nurse)


def test_waste_without_a_manner_or_witness_is_refused(world, stock, session, people):
    with pytest.raises(ServiceError, match="manner"):
        services.record_waste(session=session, mg=D(5), manner=" ", witness=people.witness, witness_password=PASSWORD,
                              by=people.nurse)
    with pytest.raises(ServiceError, match="witness"):
        services.record_waste(session=session, mg=D(5), manner="bin", witness=None, witness_password="", by=people.nurse)


def test_a_cancelled_session_cannot_be_drawn_for(world, stock, session):
    from scheduling.services import cancel_session

    cancel_session(session=session, reason="patient unwell", by=world.nurse)
    session.refresh_from_db()
    with pytest.raises(ServiceError, match="cancelled"):
        services.draw_for_session(session=session, container=stock.vials[0], ml=D(1), by=world.nurse)


# --- destruction, loss, transfer -----------------------------------------------------------------

def test_destruction_before_two_witnesses_records_form_41_details(world, stock, people):
    rows = services.destroy_stock(containers=stock.vials[:2], method="Reverse distributor kit", place="Clinic pharmacy",
                                  witnesses=[(people.witness, PASSWORD), (people.nurse, PASSWORD)], reason="expired",
                                  by=people.officer)
    assert [(r.quantity_ml, r.witness, r.second_witness, r.place) for r in rows] == [
        (D("10.00"), people.witness, people.nurse, "Clinic pharmacy")] * 2
    assert balance_ml(stock.lot, stock.safe) == D("30.00")
    assert set(Container.objects.filter(pk__in=[v.pk for v in stock.vials[:2]]).values_list("state", flat=True)) == {"destroyed"}


def test_destruction_with_one_witness_is_refused(world, stock, people):
    with pytest.raises(ServiceError, match="needs 2 witnesses"):
        services.destroy_stock(containers=stock.vials[:1], method="kit", place="here",
                               witnesses=[(people.witness, PASSWORD)], by=people.officer)
    with pytest.raises(ServiceError, match="different person"):
        services.destroy_stock(containers=stock.vials[:1], method="kit", place="here",
                               witnesses=[(people.witness, PASSWORD), (people.witness, PASSWORD)], by=people.officer)
    assert LedgerEntry.objects.filter(kind="destruction").count() == 0


def test_destruction_without_method_is_refused(world, stock, people):
    with pytest.raises(ServiceError, match="method"):
        services.destroy_stock(containers=stock.vials[:1], method=" ", place="here",
                               witnesses=[(people.witness, PASSWORD), (people.nurse, PASSWORD)], by=people.officer)


def test_a_loss_needs_its_form_106_reference_and_marks_the_vial(world, stock):
    with pytest.raises(ServiceError, match="Form 106"):
        services.record_loss(container=stock.vials[0], report_ref="", by=stock.officer)
    entry = services.record_loss(container=stock.vials[0], report_ref="DEA-106-0042", cause="theft", by=stock.officer)
    assert (entry.quantity_ml, entry.report_ref, entry.loss_cause) == (D("10.00"), "DEA-106-0042", "theft")
    assert Container.objects.get(pk=stock.vials[0].pk).state == ContainerState.LOST


def test_a_partial_spill_leaves_the_vial_open(world, stock):
    services.record_loss(container=stock.vials[0], report_ref="DEA-106-7", cause="breakage", ml=D("2.50"), by=stock.officer)
    assert Container.objects.get(pk=stock.vials[0].pk).state == ContainerState.OPEN
    assert balance_ml(stock.lot, stock.safe) == D("47.50")


def test_a_transfer_moves_the_vial_and_its_balance(world, stock):
    (entry,) = services.transfer(containers=stock.vials[:1], to_location=stock.cart, by=stock.officer)
    assert (entry.balance_after_ml, entry.to_balance_after_ml) == (D("40.00"), D("10.00"))
    assert balance_ml(stock.lot, stock.cart) == D("10.00")
    assert Container.objects.get(pk=stock.vials[0].pk).location == stock.cart
    with pytest.raises(ServiceError, match="to itself"):
        services.transfer(containers=stock.vials[:1], to_location=stock.cart, by=stock.officer)


# --- counts and discrepancies --------------------------------------------------------------------

def test_a_count_that_agrees_opens_no_discrepancy(world, stock):
    count = services.record_count(line=CountLine(stock.lot, stock.safe, sealed_containers=5), by=world.nurse)
    assert (count.expected_ml, count.counted_ml) == (D("50.00"), D("50.00"))
    assert not Discrepancy.objects.exists()


def test_a_count_that_disagrees_opens_a_discrepancy_only_the_officer_resolves(world, stock):
    line = CountLine(stock.lot, stock.safe, sealed_containers=4, opened_containers=1, opened_ml=D("9.60"), estimated=True)
    count = services.record_count(line=line, by=world.nurse)
    found = Discrepancy.objects.get(count=count)
    assert (found.difference_ml, found.difference_mg, found.is_open) == (D("-0.40"), D("-4.00"), True)
    with pytest.raises(ServiceError, match="resolve discrepancies"):
        services.resolve_discrepancy(discrepancy=found, explanation="Opened vial was estimated low.", by=world.nurse)
    services.resolve_discrepancy(discrepancy=found, explanation="Opened vial was estimated low.", by=stock.officer)
    assert not Discrepancy.objects.get(pk=found.pk).is_open
    with pytest.raises(ServiceError, match="already resolved"):
        services.resolve_discrepancy(discrepancy=found, explanation="Opened vial was estimated low.", by=stock.officer)
    assert AuditEvent.objects.filter(action__in=["ledger_discrepancy_open", "ledger_discrepancy_resolve"]).count() == 2


def test_a_discrepancy_needs_a_real_explanation(world, stock):
    services.record_count(line=CountLine(stock.lot, stock.safe, sealed_containers=4), by=world.nurse)
    with pytest.raises(ServiceError, match="Explain"):
        services.resolve_discrepancy(discrepancy=Discrepancy.objects.get(), explanation="ok", by=stock.officer)


def test_a_count_with_negative_containers_is_refused(world, stock):
    with pytest.raises(ServiceError, match="whole numbers"):
        services.record_count(line=CountLine(stock.lot, stock.safe, sealed_containers=-1), by=world.nurse)


# --- corrections -----------------------------------------------------------------------------------

def test_a_draw_correction_is_a_new_entry_and_changes_stock_and_session(world, stock, session):
    draw = services.draw_for_session(session=session, container=stock.vials[0], ml=D(4), by=world.nurse)
    fix = services.correct_entry(entry=draw, corrected=D("4.50"), reason="Syringe read wrong", by=stock.officer)
    assert (fix.kind, fix.corrects, fix.quantity_ml, fix.corrected_ml) == ("correction", draw, D("0.50"), D("4.50"))
    assert fix.balance_after_ml == D("45.50") == balance_ml(stock.lot, stock.safe)
    assert LedgerEntry.objects.get(pk=draw.pk).quantity_ml == D("4.00")
    (lot,) = session_lots(session)
    assert lot.drawn_mg == D("45.00")


def test_a_receipt_corrected_down_voids_sealed_vials(world, stock):
    services.correct_entry(entry=stock.receipt, corrected=D(30), reason="Two vials were never delivered", by=stock.officer)
    assert balance_ml(stock.lot, stock.safe) == D("30.00")
    assert Container.objects.filter(lot=stock.lot, state=ContainerState.VOID).count() == 2


def test_a_correction_that_would_take_the_balance_below_zero_is_refused(world, stock, session):
    for vial in stock.vials:
        services.draw_for_session(session=session, container=vial, ml=D(9), by=world.nurse)
    before = entries_count()
    with pytest.raises(ServiceError, match="below zero"):
        services.correct_entry(entry=stock.receipt, corrected=D(0), reason="Receipt entered twice", by=stock.officer)
    assert entries_count() == before


def test_counts_and_corrections_themselves_cannot_be_corrected(world, stock):
    count = services.record_count(line=CountLine(stock.lot, stock.safe, sealed_containers=5), by=world.nurse)
    with pytest.raises(ServiceError, match="count records what was found"):
        services.correct_entry(entry=count.entry, corrected=D(1), reason="x", by=stock.officer)
    fix = services.correct_entry(entry=stock.receipt, corrected=D(40), reason="One vial short", by=stock.officer)
    with pytest.raises(ServiceError, match="original entry"):
        services.correct_entry(entry=fix, corrected=D(30), reason="again", by=stock.officer)


def test_only_the_officer_corrects(world, stock):
    with pytest.raises(ServiceError, match="correct ledger entries"):
        services.correct_entry(entry=stock.receipt, corrected=D(40), reason="x", by=world.nurse)


# --- inventories -----------------------------------------------------------------------------------

def test_initial_then_biennial_inventory_cover_all_stock(world, stock):
    line = CountLine(stock.lot, stock.safe, sealed_containers=5)
    first = services.take_inventory(clinic=world.a, kind="initial", business_time="opening", lines=[line], by=stock.officer)
    assert first.counts.count() == 1 and not Discrepancy.objects.exists()
    with pytest.raises(ServiceError, match="biennial"):
        services.take_inventory(clinic=world.a, kind="initial", business_time="opening", lines=[line], by=stock.officer)
    with pytest.raises(ServiceError, match="missing: lot L1"):
        services.take_inventory(clinic=world.a, kind="biennial", business_time="close", lines=[], by=stock.officer)
    services.take_inventory(clinic=world.a, kind="biennial", business_time="close", lines=[line], by=stock.officer)
    assert Count.objects.filter(inventory__isnull=False).count() == 2


# --- audit and rollback ----------------------------------------------------------------------------

def test_a_failing_audit_write_leaves_no_entry_and_no_vial_change(world, stock, session, monkeypatch):
    from audit import services as audit

    def broken(**kwargs):
        raise RuntimeError("audit store unavailable")

    before = entries_count()
    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(RuntimeError):
        services.draw_for_session(session=session, container=stock.vials[0], ml=D(4), by=world.nurse)
    assert entries_count() == before
    assert Container.objects.get(pk=stock.vials[0].pk).state == ContainerState.SEALED


def test_a_failing_audit_write_rolls_back_a_receipt_and_its_vials(world, stock, monkeypatch):
    from audit import services as audit

    vials = Container.objects.count()
    monkeypatch.setattr(audit, "record", lambda **kw: (_ for _ in ()).throw(RuntimeError("down")))
    with pytest.raises(RuntimeError):
        services.receive_stock(product=stock.product, supplier=stock.supplier, invoice="INV-5", lot_number="NEW",
                               expires_on=stock.lot.expires_on, containers=3, location=stock.safe, by=stock.officer)
    assert Container.objects.count() == vials
    assert not LedgerEntry.objects.filter(lot__lot_number="NEW").exists()
