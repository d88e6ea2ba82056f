"""Browser walks in headless Chromium: a patient answers PHQ-9 on a phone; a clinician acknowledges the alert."""

import pytest

from alerts.models import Alert
from ketacare.testing import make_course
from measures import services
from measures.models import Assessment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_patient_answers_phq9_on_a_phone_and_sees_the_crisis_text(world, phone_page):
    course = make_course(world)
    _, token = services.issue_link(patient=course.patient, instrument="phq9", by=world.nurse)
    page = phone_page
    page.goto(f"/measures/q/{token}/")
    assert page.get_by_role("heading", name="PHQ-9 questionnaire").is_visible()
    # Phone width: nothing wider than the screen, tap targets at least 44 px high.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    box = page.locator("#q-phq9-1 label.q-option").first.bounding_box()
    assert box is not None and box["height"] >= 44
    for n in range(1, 9):
        page.locator(f"#q-phq9-{n}").get_by_text("Never").tap()
    # Item 9 by keyboard: focus the first option of the group and move with the arrow keys.
    page.locator('input[name="phq9-9"][value="0"]').focus()
    page.keyboard.press("ArrowDown")
    assert page.locator('input[name="phq9-9"][value="1"]').is_checked()
    with page.expect_navigation():
        page.get_by_role("button", name="Send my answers").tap()
    crisis = page.get_by_role("alert")
    assert crisis.is_visible() and "988" in crisis.inner_text() and "911" in crisis.inner_text()
    assert page.get_by_role("link", name="Call 988").get_attribute("href") == "tel:988"
    a = Assessment.objects.get()
    assert a.source == "patient_link" and a.items[8] == 1
    assert Alert.objects.filter(kind="suicide_risk", level="critical", acknowledged_at__isnull=True).count() == 1


def test_a_missing_answer_is_pointed_out_on_the_phone(world, phone_page):
    course = make_course(world)
    _, token = services.issue_link(patient=course.patient, instrument="gad7", by=world.nurse)
    phone_page.goto(f"/measures/q/{token}/")
    for n in range(1, 7):
        phone_page.locator(f"#q-gad7-{n}").get_by_text("Some days").tap()
    with phone_page.expect_navigation():
        phone_page.get_by_role("button", name="Send my answers").tap()
    assert phone_page.get_by_text("Question 7 needs an answer.").first.is_visible()
    assert not Assessment.objects.exists()


def test_a_prescriber_reviews_the_suicide_risk_alert_from_the_chart(world, page, sign_in):
    course = make_course(world)
    patient = course.patient
    services.record_assessment(patient=patient, instrument="phq9", items=[1] * 8 + [2], by=world.nurse)
    sign_in("a_prescriber")
    page.goto(f"/patients/{patient.pk}/")
    banner = page.locator(".risk-alert").first
    assert "Suicide-risk alert, open until a prescriber reviews it" in banner.inner_text()
    with page.expect_navigation():
        banner.get_by_role("link", name="Review the alert").click()
    page.get_by_label("Proceed: infusions may go ahead").check()
    page.fill("#id_reason", "Phoned the patient at once: safe at home with family; safety plan reviewed.")
    with page.expect_navigation():
        page.get_by_role("button", name="Record the review").click()
    assert page.url.endswith(f"/patients/{patient.pk}/")
    assert page.get_by_text("Review recorded: Proceed: infusions may go ahead.").is_visible()
    assert page.locator(".risk-alert").count() == 0
    alert = Alert.objects.get()
    assert alert.acknowledged_by == world.prescriber and "safety plan" in alert.action_note
    assert page.csp_errors == []


def test_a_nurse_enters_a_pcl5_with_the_keyboard_alone(world, page, sign_in):
    course = make_course(world)
    sign_in("a_nurse")
    page.goto(f"/measures/patients/{course.patient.pk}/enter/?instrument=pcl5")
    page.locator('input[name="pcl5-1"]').first.focus()
    for _ in range(20):
        page.keyboard.press("2")  # picks "moderate" and moves to the next question
    with page.expect_navigation():
        page.keyboard.press("Enter")
    a = Assessment.objects.get()
    assert a.total == 40 and a.complete
    assert "/measures/assessments/" in page.url
    assert page.csp_errors == []
