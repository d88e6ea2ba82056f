"""The ledger API: the same services and roles as the pages."""

import json

import pytest

from accounts.choices import Role
from inventory.models import Discrepancy, LedgerEntry
from ketacare.testing import PASSWORD

pytestmark = pytest.mark.django_db
R = Role
BASE = "/api/inventory"


def post(client, path, body):
    return client.post(BASE + path, data=json.dumps(body), content_type="application/json")


def test_a_nurse_draws_administers_and_wastes_through_the_api(client_for, stock, session, people):
    nurse = client_for(R.NURSE)
    drawn = post(nurse, "/draws", {"session_id": session.pk, "container_id": stock.vials[0].pk, "ml": "4"})
    assert drawn.status_code == 201 and drawn.json()["balance_after_ml"] == "46.00"
    assert post(nurse, "/administrations", {"session_id": session.pk, "mg": "35"}).status_code == 201
    wrong = post(nurse, "/wastes", {"session_id": session.pk, "mg": "5", "manner": "bin",
                                    "witness": {"username": "a_nurse2", "password": "nope-nope"}})
    assert wrong.status_code == 400 and wrong.json()["fields"] == {"witness_password": "Wrong password."}
    done = post(nurse, "/wastes", {"session_id": session.pk, "mg": "5", "manner": "bin",
                                   "witness": {"username": "a_nurse2", "password": PASSWORD}})
    assert done.status_code == 201 and done.json()[0]["witnesses"] == ["a_nurse2"]
    rec = nurse.get(BASE + "/reconciliation").json()
    assert rec["ok"] is True and rec["balances"][0]["ml"] == "46.00"


def test_an_overdraw_is_a_400_with_the_reason(client_for, stock, session):
    response = post(client_for(R.NURSE), "/draws", {"session_id": session.pk, "container_id": stock.vials[0].pk, "ml": "11"})
    assert response.status_code == 400 and "more than it holds" in response.json()["detail"]
    assert not LedgerEntry.objects.filter(kind="draw").exists()


@pytest.mark.parametrize(("role", "status"), [(R.NURSE, 403), (R.PRESCRIBER, 403), (R.INVENTORY_OFFICER, 201)])
def test_only_the_officer_receives_stock_through_the_api(client_for, stock, role, status):
    body = {"product_id": stock.product.pk, "supplier_id": stock.supplier.pk, "location_id": stock.safe.pk,
            "lot_number": "API1", "expires_on": "2099-12-31", "containers": 2, "invoice": "INV-API"}
    assert post(client_for(role), "/receipts", body).status_code == status


@pytest.mark.parametrize("role", [R.THERAPIST, R.FRONT_DESK, R.RESEARCHER])
def test_roles_without_ledger_access_get_403_even_for_reads(client_for, stock, role):
    assert client_for(role).get(BASE + "/balances").status_code == 403


def test_anonymous_callers_get_401(client, stock):
    assert client.get(BASE + "/balances").status_code == 401


def test_another_clinics_lot_is_404(world, client, stock):
    from django.test import Client

    other = Client()
    other.force_login(world.b_users[R.INVENTORY_OFFICER])
    assert other.get(f"{BASE}/lots/{stock.lot.pk}/entries").status_code == 404
    assert post(other, "/counts", {"lot_id": stock.lot.pk, "location_id": stock.safe.pk, "sealed_containers": 1}).status_code == 404


def test_count_resolve_and_correct_through_the_api(client_for, stock):
    counted = post(client_for(R.NURSE), "/counts", {"lot_id": stock.lot.pk, "location_id": stock.safe.pk,
                                                    "sealed_containers": 4})
    assert counted.status_code == 201 and counted.json()["difference_ml"] == "-10.00"
    officer = client_for(R.INVENTORY_OFFICER)
    fix = post(officer, f"/entries/{stock.receipt.pk}/corrections", {"corrected": "40", "reason": "One vial short on delivery"})
    assert fix.status_code == 201 and fix.json()["corrects_id"] == stock.receipt.pk
    resolved = post(officer, f"/discrepancies/{counted.json()['discrepancy_id']}/resolve",
                    {"explanation": "The receipt was one vial over; corrected.", "accounted_by_id": fix.json()["id"]})
    assert resolved.status_code == 201 and not Discrepancy.objects.get().is_open
    assert officer.get(BASE + "/discrepancies").json() == []


def test_an_inventory_through_the_api(client_for, stock):
    body = {"kind": "initial", "business_time": "opening",
            "lines": [{"lot_id": stock.lot.pk, "location_id": stock.safe.pk, "sealed_containers": 5}]}
    response = post(client_for(R.INVENTORY_OFFICER), "/inventories", body)
    assert response.status_code == 201 and response.json()["counts"][0]["discrepancy_id"] is None


def test_a_malformed_body_is_a_422(client_for, stock):
    assert post(client_for(R.NURSE), "/draws", {"session_id": "x"}).status_code == 422
