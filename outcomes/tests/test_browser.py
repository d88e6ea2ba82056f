"""Browser: a researcher opens the outcome report and sees the curve, the charts and the tables (headless Chromium)."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_outcome_report_shows_the_curve_and_tables(page, sign_in, live_server):
    from ketacare.demo import build_apps
    from ketacare.management.commands.demo import Command, demo_password

    ctx = Command()._context(7, lambda message: None)
    ctx.small = True
    build_apps(ctx)
    import lifelines  # noqa: F401 - warm the statistics imports before the page's first request
    import scipy.stats  # noqa: F401

    page.set_default_timeout(60000)  # the researcher's sign-in lands on this report; a loaded machine is slow

    sign_in("researcher", demo_password("researcher"))
    page.goto("/outcomes/")
    curve = page.locator("#km-curve svg")
    assert curve.is_visible()
    assert curve.locator("path.km-line").count() == 1 and curve.locator("path.km-band").count() == 1
    assert curve.locator(".trial-mark").count() == 2
    assert curve.locator("text.at-risk").count() >= 5
    assert "Feder 2021: 27.5 d" in curve.text_content() and "Albott 2018: 41 d" in curve.text_content()
    assert page.locator("#trajectory svg .ci-band").count() == 1
    assert page.locator("#clusters svg rect").count() == 4
    safety = page.locator("#safety table")
    assert "Blood-pressure surge" in safety.inner_text() and "Yale" in safety.inner_text()
    assert page.locator("#benchmarks tbody tr").count() == 5
    assert "Remission at end of course" in page.inner_text("#remission")
    assert page.csp_errors == []

    with page.expect_navigation():
        page.get_by_role("link", name="Print view").click()
    assert not page.locator(".topbar").is_visible()
    assert page.locator("#km-curve svg").is_visible()
