"""The inspector's loop (issue 10): waste bound, administration at the time given, reconciliation's lists,
expired receipts and reversed report dates; services, pages and the API, each refusal writing nothing."""

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.choices import Role
from audit.models import AuditEvent
from infusions import services as infusions
from infusions.tests.helpers import infusing, recovering, t0, verified
from inventory import services
from inventory.models import LedgerEntry, Lot
from inventory.reconciliation import as_json, reconcile
from ketacare.testing import PASSWORD
from toolkit.errors import ServiceError

pytestmark = pytest.mark.django_db
D = Decimal
R = Role


def entries_count():
    return LedgerEntry.objects.count(), AuditEvent.objects.filter(action__startswith="ledger_").count()


# --- waste is at most drawn - administered --------------------------------------------------------

def test_the_issue_example_a_100_mg_waste_on_a_session_that_drew_40_7_is_refused_with_the_figures(world, stock, session,
                                                                                                   people):
    services.draw_for_session(session=session, container=stock.vials[0], ml=D("4.07"), by=people.nurse)
    before = entries_count()
    with pytest.raises(ServiceError) as refused:
        services.record_waste(session=session, mg=D(100), manner="bin", witness=people.witness,
                              witness_password=PASSWORD, by=people.nurse)
    assert "drawn 40.70 mg - administered 0.00 mg - already wasted 0.00 mg = 40.70 mg" in refused.value.message
    assert refused.value.field_errors == {"mg": "More than is left of the session's draws."}
    assert entries_count() == before


def test_waste_after_the_administration_may_take_only_the_leftover(world, stock, session, people):
    services.draw_for_session(session=session, container=stock.vials[0], ml=D(4), by=people.nurse)
    services.record_administration(session=session, mg=D(35), at=datetime.now(UTC), by=people.nurse)
    waste = {"manner": "bin", "witness": people.witness, "witness_password": PASSWORD, "by": people.nurse}
    with pytest.raises(ServiceError, match=r"drawn 40.00 mg - administered 35.00 mg - already wasted 0.00 mg = 5.00 mg"):
        services.record_waste(session=session, mg=D("5.01"), **waste)
    services.record_waste(session=session, mg=D(3), **waste)
    before = entries_count()
    with pytest.raises(ServiceError, match=r"already wasted 3.00 mg = 2.00 mg"):
        services.record_waste(session=session, mg=D("2.01"), **waste)
    assert entries_count() == before
    services.record_waste(session=session, mg=D(2), **waste)
    assert reconcile(world.a).sessions[0].status == "reconciled"


def test_a_waste_with_nothing_drawn_is_refused(world, stock, session, people):
    with pytest.raises(ServiceError, match="= 0.00 mg"):
        services.record_waste(session=session, mg=D(1), manner="bin", witness=people.witness, witness_password=PASSWORD,
                              by=people.nurse)
    assert not LedgerEntry.objects.filter(kind="waste").exists()


def test_the_api_refuses_a_waste_above_the_leftover_with_the_figures(client_for, stock, session, people):
    nurse = client_for(R.NURSE)
    services.draw_for_session(session=session, container=stock.vials[0], ml=D("4.07"), by=people.nurse)
    response = nurse.post("/api/inventory/wastes", content_type="application/json", data=json.dumps(
        {"session_id": session.pk, "mg": "100", "manner": "bin", "witness": {"username": "a_nurse2", "password": PASSWORD}}))
    assert response.status_code == 400
    assert "= 40.70 mg" in response.json()["detail"] and response.json()["fields"] == {
        "mg": "More than is left of the session's draws."}
    assert not LedgerEntry.objects.filter(kind="waste").exists()


def test_the_waste_page_refuses_a_waste_above_the_leftover(client_for, stock, session, people):
    services.draw_for_session(session=session, container=stock.vials[0], ml=D("4.07"), by=people.nurse)
    response = client_for(R.NURSE).post(reverse("inventory:waste"), {
        "session": session.pk, "mg": "100", "manner": "bin", "witness": "a_nurse2", "witness_password": PASSWORD})
    assert response.status_code == 400 and "= 40.70 mg" in response.content.decode()
    assert not LedgerEntry.objects.filter(kind="waste").exists()


# --- the administration takes the amount given and the time it was given ------------------------

def test_the_stop_writes_the_administration_at_the_stop_time_and_a_manual_one_is_refused(world, people):
    start = t0()
    session = recovering(world, start)  # stopped at +50 min, after 40 min infusing: the whole 35.0 mg
    entry = LedgerEntry.objects.get(session=session, kind="administration")
    assert (entry.quantity_mg, entry.at) == (D("35.00"), start + timedelta(minutes=50))
    assert entry.recorded_at > entry.at  # written now, dated when it was given
    with pytest.raises(ServiceError, match="already recorded"):
        services.record_administration(session=session, mg=D(35), by=people.nurse)


def test_an_administration_typed_later_is_dated_when_the_infusion_ended(world, people):
    start = t0()
    session = verified(world, start)
    session = infusions.start(session=session, override_reason="Outage: drawn on paper, entered after",
                              at=start + timedelta(minutes=10), by=world.users[R.PRESCRIBER])
    session = infusions.stop_infusion(session=session, at=start + timedelta(minutes=50), by=people.nurse)
    from ketacare.testing_ledger import draw_for

    draw_for(session, by=people.nurse, at=start + timedelta(minutes=5))
    (entry,) = services.record_administration(session=session, mg=D(35), by=people.nurse)
    assert entry.at == start + timedelta(minutes=50)


# --- reconciliation lists every session that infused and every draw not closed -----------------

def test_reconciliation_lists_a_session_that_infused_with_nothing_drawn(world, people):
    start = t0()
    session = verified(world, start)
    session = infusions.start(session=session, override_reason="Outage: drawn on paper, entered after",
                              at=start + timedelta(minutes=10), by=world.users[R.PRESCRIBER])
    rec = reconcile(world.a)
    (line,) = rec.sessions
    assert line.session == session and line.status == "infused, nothing drawn"
    assert rec.infused_without_draw == [line] and line in rec.failing and not rec.ok
    data = as_json(world.a, rec)
    assert data["infused_without_draw"] == [{"session": session.pk, "mrn": session.patient.mrn, "infusion": 1,
                                             "started_at": session.started_at.isoformat()}]


def test_reconciliation_lists_every_draw_not_closed_even_while_the_session_runs(world, people):
    session = infusing(world)
    rec = reconcile(world.a)
    (line,) = rec.sessions
    assert line.status == "in progress" and rec.ok  # an infusion under way is not failing ...
    assert [d.session_id for d in rec.open_draws] == [session.pk]  # ... but its draw is still open
    infusions.stop_infusion(session=session, at=session.started_at + timedelta(minutes=40), by=people.nurse)
    rec = reconcile(world.a)
    assert rec.open_draws == [] and rec.sessions[0].status == "reconciled"


def test_a_session_stopped_half_way_leaves_its_draw_open_until_the_leftover_is_wasted(world, people):
    session = infusing(world)
    session = infusions.stop_infusion(session=session, reason="Patient asked to stop; mild nausea.",
                                      at=session.started_at + timedelta(minutes=20), by=people.nurse)
    rec = reconcile(world.a)
    assert rec.sessions[0].status == "does not reconcile" and rec.sessions[0].result.difference_mg == D("17.50")
    assert len(rec.open_draws) == 1
    services.record_waste(session=session, mg=D("17.50"), manner="bin", witness=people.witness,
                          witness_password=PASSWORD, by=people.nurse)
    rec = reconcile(world.a)
    assert rec.ok and rec.open_draws == [] and rec.sessions[0].status == "reconciled"


def _second_session_infusing(world, first, start):
    """Another infusion of the same course and chair, started with its dose drawn."""
    from infusions.tests.helpers import check_in, verify
    from ketacare.testing import make_session
    from ketacare.testing_ledger import draw_for

    session = check_in(world, make_session(world, start, course=first.course, chair=first.chair), at=start)
    session = verify(world, session, at=start + timedelta(minutes=5))
    draw_for(session, by=world.users[R.NURSE], at=start + timedelta(minutes=6))
    return infusions.start(session=session, at=start + timedelta(minutes=10), by=world.users[R.NURSE])


def test_the_dashboard_shows_the_officer_both_lists(world, client_for, people):
    start = t0(75)
    first = infusions.start(session=verified(world, start), override_reason="Outage: drawn on paper, entered after",
                            at=start + timedelta(minutes=10), by=world.users[R.PRESCRIBER])
    _second_session_infusing(world, first, t0())
    officer = client_for(R.INVENTORY_OFFICER)
    assert officer.get("/").url == reverse("inventory:home")  # the officer's dashboard is the ledger home
    page = officer.get(reverse("inventory:home")).content.decode()
    assert "1 session infused with nothing drawn</span>" in page and f"#{first.number}</a>" in page
    assert "1 draw not closed by administration plus waste</span>" in page
    panel = client_for(R.PRESCRIBER).get("/").content.decode()  # the clinic dashboard's ledger panel
    assert "1</span> session infused with nothing drawn" in panel
    assert "1</span> draw not closed by administration plus waste" in panel


def test_the_reconciliation_page_shows_both_lists(world, client_for, people):
    start = t0(75)
    session = infusions.start(session=verified(world, start), override_reason="Outage: drawn on paper, entered after",
                              at=start + timedelta(minutes=10), by=world.users[R.PRESCRIBER])
    other = _second_session_infusing(world, session, t0())
    page = client_for(R.INVENTORY_OFFICER).get(reverse("inventory:reconciliation")).content.decode()
    assert "Sessions that infused with nothing drawn (1)" in page and f"infusion {session.number}</a>" in page
    assert "Draws not closed by administration plus waste (1)" in page
    assert f"for {other.patient.full_name} infusion {other.number}" in page, page[page.find('id="open-draws"'):][:900]


def test_the_reconcile_command_names_the_session_infused_with_nothing_drawn(world, people):
    import io

    from django.core.management import call_command

    start = t0()
    session = infusions.start(session=verified(world, start), override_reason="Outage: drawn on paper, entered after",
                              at=start + timedelta(minutes=10), by=world.users[R.PRESCRIBER])
    out = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("ledger", "reconcile", "--clinic", world.a.slug, stdout=out)
    assert exited.value.code == 1
    assert f"session {session.pk} ({session.patient.mrn}, infusion 1) infused with nothing drawn" in out.getvalue()


# --- receiving an expired lot; a reversed report range ------------------------------------------

def _receipt(stock, **extra):
    values = {"product": stock.product, "supplier": stock.supplier, "invoice": "INV-9", "lot_number": "EXP1",
              "expires_on": datetime.now(UTC).date() - timedelta(days=3), "containers": 2, "location": stock.safe,
              "by": stock.officer}
    return services.receive_stock(**(values | extra))


def test_receiving_a_lot_already_expired_is_refused_and_nothing_is_written(world, stock):
    before = entries_count()
    with pytest.raises(ServiceError, match="expired on .* before this receipt") as refused:
        _receipt(stock)
    assert "expired_reason" in refused.value.field_errors
    assert entries_count() == before and not Lot.objects.filter(lot_number="EXP1").exists()


def test_an_officer_may_take_in_an_expired_lot_with_a_reason(world, stock):
    entry = _receipt(stock, expired_reason="Returned by the procedure room for destruction")
    assert entry.reason == "Returned by the procedure room for destruction" and entry.containers_count == 2


def test_a_lot_expiring_today_is_received(world, stock):
    from zoneinfo import ZoneInfo

    today = datetime.now(ZoneInfo(world.a.time_zone)).date()  # the clinic's today: the last day it may be drawn
    assert _receipt(stock, expires_on=today).containers_count == 2


def test_the_api_refuses_an_expired_receipt_without_a_reason(client_for, stock):
    body = {"product_id": stock.product.pk, "supplier_id": stock.supplier.pk, "location_id": stock.safe.pk,
            "lot_number": "EXPAPI", "expires_on": "2020-01-31", "containers": 2, "invoice": "INV-API"}
    officer = client_for(R.INVENTORY_OFFICER)
    response = officer.post("/api/inventory/receipts", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 400 and "expired on 2020-01-31" in response.json()["detail"]
    assert "expired_reason" in response.json()["fields"]
    assert not Lot.objects.filter(lot_number="EXPAPI").exists()
    body["expired_reason"] = "Taken in for destruction by a reverse distributor"
    assert officer.post("/api/inventory/receipts", data=json.dumps(body), content_type="application/json").status_code == 201


def test_the_receive_page_refuses_an_expired_lot_on_the_reason_field(client_for, stock):
    response = client_for(R.INVENTORY_OFFICER).post(reverse("inventory:receive"), {
        "product": stock.product.pk, "lot_number": "EXPWEB", "expires_on": "2020-01-31", "containers": 1,
        "supplier": stock.supplier.pk, "invoice": "INV-W", "location": stock.safe.pk})
    assert response.status_code == 400 and "expired on 2020-01-31" in response.content.decode()
    assert not Lot.objects.filter(lot_number="EXPWEB").exists()


def test_a_reversed_date_range_on_a_report_says_so(client_for, stock):
    response = client_for(R.INVENTORY_OFFICER).get(reverse("inventory:report_receipts"),
                                                   {"start": "2026-03-31", "end": "2026-03-01"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "The start date 2026-03-31 is after the end date 2026-03-01" in page and "Nothing to report" not in page
