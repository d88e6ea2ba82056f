"""Browser walks of the foundation flows in headless Chromium (Debian's package, via Playwright)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.choices import Role
from ketacare.testing import make_chair, make_eligible_patient, make_patient, make_protocol, next_weekday_at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("role", list(Role.values))
def test_each_role_signs_in_and_lands_on_its_page(role, world, page, sign_in):
    from accounts.views import landing_url

    sign_in(f"a_{role}")
    assert page.url.endswith(landing_url(role)), page.url
    assert page.locator("header .who").inner_text().find("Clinic A") >= 0
    assert page.csp_errors == []


def test_front_desk_registers_a_patient_with_the_keyboard(world, page, sign_in):
    sign_in("a_front_desk")
    page.goto("/patients/new/")
    page.fill("#id_mrn", "KB-0001")
    page.fill("#id_given_name", "Kay")
    page.fill("#id_family_name", "Board")
    page.fill("#id_date_of_birth", "1990-02-03")
    page.select_option("#id_sex", "female")
    page.fill("#id_weight_kg", "71.5")
    page.focus("#id_medical_history")
    page.keyboard.press("Tab")  # to the Save button
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/intake/" in page.url
    expect(page.get_by_text("Kay Board registered.")).to_be_visible()


def test_front_desk_sees_a_clear_message_for_an_impossible_weight(world, page, sign_in):
    sign_in("a_front_desk")
    page.goto("/patients/new/")
    for field, value in {"#id_mrn": "BAD-1", "#id_given_name": "A", "#id_family_name": "B", "#id_date_of_birth": "1990-01-01", "#id_weight_kg": "900"}.items():
        page.fill(field, value)
    page.click("#main button[type=submit]")
    expect(page.get_by_text("Weight must be between 30 and 350 kg.")).to_be_visible()
    from patients.models import Patient

    assert not Patient.objects.filter(mrn="BAD-1").exists()


def test_prescriber_screens_and_orders_a_course_then_a_nurse_books_it(world, page, sign_in, browser, live_server):
    patient = make_patient(world, mrn="FLOW-1")
    from patients import services

    for name in ("fluoxetine", "PE"):
        services.add_prior_treatment(patient=patient, by=world.prescriber, values={
            "kind": "psychotherapy" if name == "PE" else "medication", "name": name, "weeks": 10, "adequate": True, "outcome": "none"})
    make_protocol(world)
    chair = make_chair(world)
    sign_in("a_prescriber")
    page.goto(f"/patients/{patient.pk}/screening/")
    page.check("#ci-uncontrolled_hypertension")
    page.click("button[value=sign]")
    expect(page.get_by_text("needs a written justification").first).to_be_visible()
    page.fill("#j-uncontrolled_hypertension", "Controlled on two agents for a year; BP monitored each visit.")
    page.click("button[value=sign]")
    expect(page.get_by_text("Screening signed: Eligible.")).to_be_visible()
    page.click("text=Order a course")
    page.click("#main button[type=submit]")
    expect(page.get_by_text("Course ordered.")).to_be_visible()
    course_url = page.url

    nurse = browser.new_context(base_url=live_server.url).new_page()
    sign_in("a_nurse", pg=nurse)
    nurse.goto(course_url)
    starts = timezone.localtime(next_weekday_at(timezone.now()))
    nurse.select_option("#id_chair", str(chair.pk))
    nurse.fill("#id_starts_at", starts.strftime("%Y-%m-%dT%H:%M"))
    nurse.click("form >> text=Book")
    expect(nurse.get_by_text("Infusion 1 booked.")).to_be_visible()
    nurse.fill("#id_starts_at", (starts + timedelta(hours=20)).strftime("%Y-%m-%dT%H:%M"))
    nurse.select_option("#id_chair", str(chair.pk))
    nurse.click("form >> text=Book")
    expect(nurse.get_by_text("apart").first).to_be_visible()  # the kernel's spacing message
    assert patient.infusion_sessions.count() == 1


def test_therapist_records_an_integration_session(world, page, sign_in):
    patient = make_eligible_patient(world, mrn="TH-1")
    sign_in("a_therapist")
    page.goto(f"/patients/{patient.pk}/")
    page.click("text=Record a session")
    page.fill("#id_held_on", timezone.localdate().isoformat())
    page.select_option("#id_modality", "individual")
    page.select_option("#id_timing", "preparation")
    page.fill("#id_goals", "Set intentions for the first infusion.")
    page.click("#main button[type=submit]")
    expect(page.get_by_text("Integration session recorded.")).to_be_visible()
    assert page.locator(".timeline li.therapy").count() == 1
