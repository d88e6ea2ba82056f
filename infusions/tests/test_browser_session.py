"""A nurse runs a whole session at the tablet: check-in, dose, second-nurse check, vitals, an alert, discharge, sign."""

import time
from datetime import UTC, datetime, timedelta

import pytest
from django.db import OperationalError
from playwright.sync_api import expect

from accounts.choices import Role
from accounts.services import update_policy
from alerts.models import Alert
from infusions import services
from infusions.choices import SessionState
from infusions.models import InfusionSession
from ketacare.testing import PASSWORD, make_session
from ketacare.testing_ledger import draw_for

from .helpers import second_nurse

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def when_unlocked(write):
    """Run a write from the test thread; the in-memory test database (SQLite shared cache) refuses it
    with 'table is locked' while the live server is reading, where a file database would wait."""
    for attempt in range(50):
        try:
            return write()
        except OperationalError as exc:
            if "table is locked" not in str(exc) or attempt == 49:
                raise
            time.sleep(0.05)


def test_a_nurse_runs_a_session_from_check_in_to_signature(world, page, sign_in, browser, live_server):
    update_policy(clinic=world.a, values={"infusion_observation_min": "0"}, by=world.users[Role.CLINIC_ADMIN])
    session = make_session(world, datetime.now(UTC) - timedelta(minutes=5))
    sign_in("a_nurse")
    page.goto(f"/infusions/sessions/{session.pk}/")
    page.get_by_role("link", name="Check in").click()
    page.check("#id_identity_confirmed")
    page.fill("#id_weight_kg", "70.0")
    page.check("#id_consent_current")
    for field, value in {"systolic_mmhg": "128", "diastolic_mmhg": "82", "heart_rate_bpm": "74", "spo2_pct": "98"}.items():
        page.fill(f"#id_baseline-{field}", value)
    for waiver in page.locator("input[name^=waive_]").all():
        waiver.fill("Given on paper")
    page.get_by_role("button", name="Check in").click()
    expect(page.locator("#arithmetic")).to_contain_text("0.50 mg/kg x 70.0 kg = 35.0 mg")
    expect(page.locator("#dose")).to_contain_text("150.0 mL/h")

    # The second nurse checks at this tablet and proves who she is with her own password (ADR 0016).
    page.get_by_role("link", name="Verify dose (second clinician)").click()
    page.fill("#id_total_mg", "35.0")
    page.fill("#id_rate_ml_per_h", "150.0")
    page.fill("#id_verifier", second_nurse(world).username)
    page.fill("#id_verifier_password", PASSWORD)
    page.get_by_role("button", name="Verify").click()
    expect(page.locator(".messages")).to_contain_text("Dose verified independently")
    when_unlocked(lambda: draw_for(InfusionSession.objects.get(pk=session.pk), by=world.users[Role.NURSE]))

    page.reload()
    page.get_by_role("button", name="Start infusion").click()
    expect(page.locator("#state")).to_have_text("Infusing")
    page.fill("#id_systolic_mmhg", "185")
    page.fill("#id_diastolic_mmhg", "95")
    page.keyboard.press("Enter")
    alert = page.locator("#session-alerts .alert-banner").first
    expect(alert).to_contain_text("Systolic BP 185 mmHg is at or above 180 mmHg")
    expect(alert).to_contain_text("threshold 180")
    alert.locator("input[name=action_note]").fill("Paused 5 min, BP 150/90 on recheck")
    alert.get_by_role("button", name="Acknowledge").click()
    expect(page.locator(".messages")).to_contain_text("Alert acknowledged")
    assert not Alert.objects.filter(acknowledged_at__isnull=True).exists()

    # A reading filed elsewhere (a monitor) reaches the open screen by polling, without a reload, within 5 s.
    when_unlocked(lambda: services.record_vitals(session=InfusionSession.objects.get(pk=session.pk),
                                                values={"heart_rate_bpm": 131}, by=world.users[Role.NURSE]))
    expect(page.locator("#session-alerts")).to_contain_text("Heart rate 131 /min is above 120 /min", timeout=5000)

    page.reload()  # the stop button asks for a reason: the planned 40 min have not passed
    page.fill("#reason-stop_infusion", "Patient asked to stop; mild nausea.")
    page.get_by_role("button", name="Stop: dose complete").click()
    expect(page.locator("#state")).to_have_text("Recovering")
    expect(page.locator("#stop-record")).to_contain_text("Early stop")
    page.get_by_role("link", name="Discharge").click()
    page.check("#id_escort_confirmed")
    page.get_by_role("button", name="Discharge").click()
    expect(page.locator(".messages")).to_contain_text("Patient discharged")
    page.get_by_role("link", name="Session record").click()
    page.get_by_role("button", name="Sign as nurse").click()
    expect(page.locator("#signatures")).to_contain_text("Nurse: Test Nurse")
    fresh = InfusionSession.objects.get(pk=session.pk)
    assert fresh.state == SessionState.DISCHARGED and fresh.signed_by == world.users[Role.NURSE]
    assert page.csp_errors == []
