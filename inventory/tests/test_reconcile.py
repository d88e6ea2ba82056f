"""Reconciliation: sessions, vials opened without a session, discrepancies, integrity; and `ketacare ledger`."""

import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection

from inventory import services
from inventory.models import Container, LedgerEntry
from inventory.reconciliation import reconcile
from inventory.services import CountLine
from ketacare.testing import PASSWORD

pytestmark = pytest.mark.django_db
D = Decimal


def run(*args):
    """Run `ketacare ledger ...` and return (exit code, output)."""
    import io

    out = io.StringIO()
    try:
        call_command("ledger", *args, stdout=out)
    except SystemExit as exc:
        return exc.code, out.getvalue()
    return 0, out.getvalue()


@pytest.fixture
def given(world, stock, session, people):
    services.draw_for_session(session=session, container=stock.vials[0], ml=D(4), by=people.nurse)
    services.record_administration(session=session, mg=D(35), by=people.nurse)
    return session


def test_a_session_given_35_of_40_mg_does_not_reconcile_until_the_waste_is_recorded(world, stock, given, people):
    rec = reconcile(world.a)
    (line,) = rec.sessions
    assert (line.status, line.result.difference_mg) == ("does not reconcile", D("5.00"))
    assert not rec.ok
    services.record_waste(session=given, mg=D(5), manner="bin", witness=people.witness, witness_password=PASSWORD,
                          by=people.nurse)
    rec = reconcile(world.a)
    assert rec.sessions[0].status == "reconciled" and rec.ok


def test_the_clinic_tolerance_absorbs_a_small_difference(world, stock, given, people):
    from accounts import services as accounts

    services.record_waste(session=given, mg=D("4.60"), manner="bin", witness=people.witness, witness_password=PASSWORD,
                          by=people.nurse)
    assert reconcile(world.a).ok  # 0.40 mg within the kernel's default 0.5 mg
    accounts.update_policy(clinic=world.a, values={"ledger_reconciliation_tolerance_mg": "0.1"}, by=world.clinic_admin)
    world.a.refresh_from_db()
    assert not reconcile(world.a).ok


def test_a_session_with_only_a_draw_is_in_progress_not_failing(world, stock, session, people):
    services.draw_for_session(session=session, container=stock.vials[0], ml=D(4), by=people.nurse)
    rec = reconcile(world.a)
    assert rec.sessions[0].status == "in progress" and rec.ok


def test_a_finished_session_with_only_a_draw_fails(world, stock, session, people):
    from infusions.models import InfusionSession

    services.draw_for_session(session=session, container=stock.vials[0], ml=D(4), by=people.nurse)
    # Test shortcut: the infusions app's discharge service moves a session on; here the state is set directly.
    InfusionSession.objects.filter(pk=session.pk).update(state="discharged")
    assert reconcile(world.a).failing[0].session.pk == session.pk


def test_a_vial_opened_with_no_draw_for_a_session_is_reported(world, stock):
    # A vial marked open without any entry (e.g. a hand-edited database) must show up.
    Container.objects.filter(pk=stock.vials[1].pk).update(state="open")
    rec = reconcile(world.a)
    assert [c.code for c in rec.opened_without_session] == ["L1-002"] and not rec.ok


def test_a_ledger_row_changed_behind_the_applications_back_is_found(world, stock, given):
    draw = LedgerEntry.objects.get(kind="draw")
    with connection.cursor() as cur:
        cur.execute("DROP TRIGGER IF EXISTS inventory_ledgerentry_no_update" + (" ON inventory_ledgerentry" if connection.vendor == "postgresql" else ""))
        cur.execute("UPDATE inventory_ledgerentry SET quantity_ml = %s WHERE id = %s", ["1.00", draw.pk])
    problems = reconcile(world.a).ledger_problems
    assert any(f"entry {draw.pk}" in p and "balance after" in p for p in problems)
    assert any(f"entry {draw.pk} (draw) differs from its audit event" in p for p in problems)


def test_reconcile_command_exits_zero_when_everything_reconciles(world, stock, given, people):
    services.record_waste(session=given, mg=D(5), manner="bin", witness=people.witness, witness_password=PASSWORD,
                          by=people.nurse)
    code, out = run("reconcile")
    assert code == 0
    assert "Clinic A (clinic-a): reconciles" in out and "L1" in out and "46.00 mL" in out


def test_reconcile_command_exits_non_zero_and_names_the_session(world, stock, given):
    code, out = run("reconcile", "--clinic", "clinic-a")
    assert code == 1
    assert "DOES NOT RECONCILE" in out and "T-0001" in out and "unaccounted 5.00 mg" in out


def test_reconcile_command_json_lists_balances_sessions_and_discrepancies(world, stock, given, people):
    services.record_count(line=CountLine(stock.lot, stock.safe, sealed_containers=4), by=people.nurse)
    code, out = run("reconcile", "--json")
    data = json.loads(out)
    clinic_a = next(c for c in data["clinics"] if c["clinic"] == "clinic-a")
    assert code == 1 and data["ok"] is False
    assert clinic_a["balances"][0]["ml"] == "46.00"
    assert clinic_a["unreconciled_sessions"][0]["difference_mg"] == "5.00"
    assert clinic_a["open_discrepancies"][0]["difference_ml"] == "-6.00"


def test_ledger_without_an_action_prints_its_help(world, capsys):
    code, out = run()
    assert code == 0
    assert "reconcile" in capsys.readouterr().out + out


def test_reconcile_refuses_an_unknown_clinic(world):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No clinic"):
        run("reconcile", "--clinic", "nowhere")
