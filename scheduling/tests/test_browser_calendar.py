"""A front-desk user plans a new patient's whole course in one step and sees it on the week grid (tablet width)."""

from datetime import time

import pytest
from playwright.sync_api import expect

from accounts.choices import Role
from ketacare.testing import make_chair, make_course
from scheduling import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_front_desk_plans_a_course_and_sees_it_on_the_week_grid(world, page, sign_in):
    for weekday in range(7):
        services.add_nurse_shift(clinic=world.a, nurse=world.users[Role.NURSE], weekday=weekday, starts=time(8),
                                 ends=time(18), by=world.users[Role.CLINIC_ADMIN])
    make_chair(world, name="Chair 1")
    course = make_course(world)
    sign_in("a_front_desk")
    page.goto(f"/courses/{course.pk}/")
    page.get_by_role("link", name="Plan the course").click()
    expect(page.locator("#proposal tbody tr")).to_have_count(6)
    first_day = page.locator("#proposal tbody tr").first.locator("td").nth(1).locator(".muted").inner_text()
    with page.expect_navigation():
        page.get_by_role("button", name="Accept and book all").click()
    expect(page.locator(".messages")).to_contain_text("6 infusions booked")
    blocks = page.locator("#calendar .cal-block")
    expect(blocks.first).to_contain_text(f"{course.patient.full_name} · 1/6")
    assert first_day[:3] in page.locator("#calendar").inner_text()
    blocks.first.focus()  # keyboard: a booking is a focusable link that opens the booking
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Cancel this booking")).to_be_visible()
    assert not page.csp_errors, page.csp_errors
