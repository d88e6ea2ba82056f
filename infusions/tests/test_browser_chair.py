"""Safety at the chair in a real browser (issue 10): a suicide-risk answer blocks check-in until a prescriber reviews it;
the blind dose check stays blind and the second clinician proves who they are at the check."""

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from accounts.choices import Role
from alerts.models import Alert, AlertReview
from infusions.choices import SessionState
from infusions.models import InfusionSession
from ketacare.testing import PASSWORD, make_session
from measures import services as measures

from .helpers import check_in, second_nurse

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_check_in(page):
    page.check("#id_identity_confirmed")
    page.fill("#id_weight_kg", "70.0")
    page.check("#id_consent_current")
    for field, value in {"systolic_mmhg": "128", "diastolic_mmhg": "82", "heart_rate_bpm": "74", "spo2_pct": "98"}.items():
        page.fill(f"#id_baseline-{field}", value)
    for waiver in page.locator("input[name^=waive_]").all():
        waiver.fill("Given on paper")


def page_errors(page):
    """Console errors other than the refused form's own 400 (a refusal is the expected answer here)."""
    return [e for e in page.csp_errors if "status of 400" not in e]


def test_a_suicide_risk_answer_blocks_check_in_until_a_prescriber_reviews_it(world, page, sign_in, browser, live_server):
    session = make_session(world, datetime.now(UTC) - timedelta(minutes=5))
    # Two minutes before check-in: a PHQ-9 with item 9 answered 2.
    measures.record_assessment(patient=session.patient, instrument="phq9", items=[1] * 8 + [2], by=world.users[Role.NURSE])
    sign_in("a_nurse")
    page.goto(f"/infusions/sessions/{session.pk}/")
    expect(page.locator("#chair-blockers")).to_contain_text("a prescriber reviews these alerts first")
    page.get_by_role("link", name="Check in").click()
    blockers = page.locator("#chair-blockers")
    expect(blockers).to_contain_text("Check-in is blocked")
    expect(blockers).to_contain_text("Suicide risk")
    expect(blockers).to_contain_text("A prescriber reviews this alert and records the decision")
    expect(blockers.get_by_role("button", name="Record the review")).to_have_count(0)  # not the nurse's decision
    fill_check_in(page)
    button = page.get_by_role("button", name="Check in (a prescriber's review is needed first)")
    expect(button).to_be_disabled()
    assert InfusionSession.objects.get(pk=session.pk).state == SessionState.SCHEDULED

    # The prescriber reviews it from the same check-in page on her own tablet and records the decision.
    doctor = browser.new_context(base_url=live_server.url, viewport={"width": 1024, "height": 800}).new_page()
    sign_in("a_prescriber", pg=doctor)
    doctor.goto(f"/infusions/sessions/{session.pk}/check-in/")
    form = doctor.locator("#chair-blockers form.review-form")
    form.get_by_label("Proceed: infusions may go ahead").check()
    form.locator("input[name=reason]").fill("ok")
    with doctor.expect_navigation():
        form.get_by_role("button", name="Record the review").click()
    expect(doctor.locator(".messages")).to_contain_text("at least 15 characters")
    assert not AlertReview.objects.exists()
    doctor.goto(f"/infusions/sessions/{session.pk}/check-in/")
    form = doctor.locator("#chair-blockers form.review-form")
    form.get_by_label("Proceed: infusions may go ahead").check()
    form.locator("input[name=reason]").fill("Seen in person: passive thoughts, no plan or intent; safety plan agreed.")
    with doctor.expect_navigation():
        form.get_by_role("button", name="Record the review").click()
    expect(doctor.locator(".messages")).to_contain_text("Review recorded: Proceed")
    assert doctor.url.endswith(f"/infusions/sessions/{session.pk}/check-in/")
    expect(doctor.locator("#chair-blockers")).to_have_count(0)
    doctor.context.close()
    review = AlertReview.objects.get()
    assert review.reviewed_by == world.users[Role.PRESCRIBER] and review.decision == "proceed"
    assert not Alert.objects.get(kind="suicide_risk").is_open

    page.reload()
    expect(page.locator("#chair-blockers")).to_have_count(0)
    fill_check_in(page)
    page.get_by_role("button", name="Check in", exact=True).click()
    expect(page.locator("#arithmetic")).to_contain_text("0.50 mg/kg x 70.0 kg = 35.0 mg")
    assert InfusionSession.objects.get(pk=session.pk).state == SessionState.CHECKED_IN
    assert page_errors(page) == []


def test_the_blind_check_stays_blind_and_the_second_nurse_proves_who_she_is_at_the_screen(world, page, sign_in):
    session = check_in(world, make_session(world, datetime.now(UTC) - timedelta(minutes=5)))
    checker = second_nurse(world)
    sign_in("a_nurse")  # the first nurse's tablet: no separate sign-in for the second nurse
    page.goto(f"/infusions/sessions/{session.pk}/")
    page.get_by_role("link", name="Verify dose (second clinician)").click()
    expect(page.locator("#order")).to_contain_text("70.0 kg")
    body = page.locator("main, body").first
    expect(body).not_to_contain_text("35.0 mg")
    expect(body).not_to_contain_text("150.0")

    # Wrong figures: the page says which figures differ, never the plan's.
    page.fill("#id_total_mg", "36.0")
    page.fill("#id_rate_ml_per_h", "15.0")
    page.fill("#id_verifier", checker.username)
    page.fill("#id_verifier_password", PASSWORD)
    page.get_by_role("button", name="Verify").click()
    expect(page.locator(".messages")).to_contain_text("Total dose: your 36.0 mg differs from the plan.")
    expect(page.locator(".messages")).to_contain_text("Pump rate: your 15.0 mL/h differs from the plan.")
    expect(body).not_to_contain_text("35.0")
    expect(body).not_to_contain_text("150.0")
    expect(page.locator("#id_verifier_password")).to_have_value("")  # the password is never sent back
    assert InfusionSession.objects.get(pk=session.pk).state == SessionState.CHECKED_IN

    # The right figures with a wrong password: refused, on the password field.
    page.fill("#id_total_mg", "35.0")
    page.fill("#id_rate_ml_per_h", "150.0")
    page.fill("#id_verifier_password", "not-her-password")
    page.get_by_role("button", name="Verify").click()
    expect(page.locator(".messages")).to_contain_text("did not confirm: wrong password")
    assert InfusionSession.objects.get(pk=session.pk).state == SessionState.CHECKED_IN

    # The second nurse types her own password at this screen.
    page.fill("#id_verifier_password", PASSWORD)
    page.get_by_role("button", name="Verify").click()
    expect(page.locator(".messages")).to_contain_text("Dose verified independently")
    expect(page.locator("#dose")).to_contain_text(f"Verified independently by {checker}")
    fresh = InfusionSession.objects.get(pk=session.pk)
    assert fresh.state == SessionState.DOSE_VERIFIED and fresh.dose_verified_by == checker
    assert page_errors(page) == []
