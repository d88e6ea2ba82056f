"""Browser (headless Chromium): a session cannot start without a draw, then runs with one to a reconciled ledger."""

import time
from datetime import UTC, datetime, timedelta

import pytest
from django.db import OperationalError
from playwright.sync_api import expect

from infusions.choices import SessionState
from infusions.models import InfusionSession
from infusions.tests.helpers import check_in, second_nurse, verify
from inventory.models import Container, LedgerEntry
from ketacare.testing import PASSWORD, make_session
from ketacare.testing_ledger import safe_stock

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def when_unlocked(write):
    """Retry a write from the test thread while the live server holds SQLite's shared-cache table lock."""
    for attempt in range(50):
        try:
            return write()
        except OperationalError as exc:
            if "table is locked" not in str(exc) or attempt == 49:
                raise
            time.sleep(0.05)


def submit(page, name):
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()


def test_a_session_cannot_start_without_a_draw_then_runs_with_one_to_a_reconciled_ledger(world, page, sign_in):
    start = (datetime.now(UTC) - timedelta(minutes=10)).replace(microsecond=0)
    session = check_in(world, make_session(world, start), at=start)
    witness = second_nurse(world)
    session = verify(world, session, verifier=witness, at=start + timedelta(minutes=2))
    lot = safe_stock(world.a, vials=3)
    vial = Container.objects.filter(lot=lot).order_by("code").first()

    # The nurse presses Start with nothing drawn: refused, with what is missing; nothing starts.
    sign_in("a_nurse")
    page.goto(f"/infusions/sessions/{session.pk}/")
    expect(page.locator("#drawn")).to_contain_text("nothing drawn")
    page.get_by_role("button", name="Start infusion").click()
    expect(page.locator(".messages")).to_contain_text("No ketamine is drawn for this session; the verified dose is 35.00 mg")
    expect(page.locator("#state")).not_to_have_text("Infusing")
    assert InfusionSession.objects.get(pk=session.pk).state == SessionState.DOSE_VERIFIED

    # She draws 4 mL (40 mg) for the session from the safe, and the start goes ahead.
    page.goto(f"/inventory/draw/?session={session.pk}")
    page.select_option("#id_container", str(vial.pk))
    page.fill("#id_ml", "4")
    submit(page, "Record draw")
    expect(page.locator(".messages")).to_contain_text("Drew 4.00 mL (40.00 mg)")
    page.goto(f"/infusions/sessions/{session.pk}/")
    expect(page.locator("#drawn")).to_contain_text("40.00 mg")
    page.get_by_role("button", name="Start infusion").click()
    expect(page.locator("#state")).to_have_text("Infusing")

    # She stops with the pump's volume infused: the whole 100 mL bag. Planned and given show side by side.
    page.fill("#pump-stop_infusion", "100")
    page.fill("#reason-stop_infusion", "The pump shows the whole bag infused already.")  # before the planned 40 min
    page.get_by_role("button", name="Stop: dose complete").click()
    expect(page.locator("#state")).to_have_text("Recovering")
    expect(page.locator("#given")).to_contain_text("35.00 mg of 35.00 mg planned")
    administration = when_unlocked(lambda: LedgerEntry.objects.get(session_id=session.pk, kind="administration"))
    stopped = when_unlocked(lambda: InfusionSession.objects.get(pk=session.pk))
    assert administration.quantity_mg == 35 and administration.at == stopped.infusion_ended_at

    # The reconciliation shows 5 mg unaccounted; a 6 mg waste is refused with the figures; 5 mg closes it.
    page.goto("/inventory/reports/reconciliation/")
    expect(page.locator("#open-draws")).to_contain_text("Draws not closed by administration plus waste (1)")
    page.goto(f"/inventory/waste/?session={session.pk}")
    page.select_option("#id_session", str(session.pk))
    page.fill("#id_mg", "6")
    page.fill("#id_manner", "Into the drug-waste container")
    page.fill("#id_witness", witness.username)
    page.fill("#id_witness_password", PASSWORD)
    submit(page, "Record witnessed waste")
    expect(page.locator("body")).to_contain_text("drawn 40.00 mg - administered 35.00 mg - already wasted 0.00 mg = 5.00 mg")
    page.fill("#id_mg", "5")
    page.fill("#id_witness_password", PASSWORD)
    submit(page, "Record witnessed waste")
    expect(page.locator("#witnesses")).to_contain_text(witness.username)

    page.goto("/inventory/reports/reconciliation/")
    expect(page.locator("h1")).to_contain_text("everything reconciles")
    expect(page.locator("#open-draws")).to_contain_text("(0)")
    expect(page.locator("#infused-without-draw")).to_contain_text("(0)")
    page.goto(f"/infusions/sessions/{session.pk}/record/")
    expect(page.locator("#planned-given")).to_contain_text("planned 35.00 mg · given 35.00 mg")
    # The two refusals answer 400 (the browser logs those); nothing else went wrong (no CSP or asset errors).
    assert [e for e in page.csp_errors if "status of 400" not in e] == []
