"""Project-wide pytest fixtures: personas, signed-in clients, the browser."""

import os

import pytest

os.environ.setdefault("KETACARE_FAST_HASHER", "true")

# Property tests judge results, never speed: a busy CI machine must not fail them on a deadline.
from hypothesis import settings as hypothesis_settings  # noqa: E402

hypothesis_settings.register_profile("ketacare", deadline=None)
hypothesis_settings.load_profile("ketacare")


@pytest.fixture
def world(db):
    from ketacare.testing import build_world

    return build_world()


@pytest.fixture
def client_for(client, world):
    """Return a test client signed in as the user of clinic A with `role` (or a given user)."""
    from django.test import Client

    def make(role_or_user):
        user = world.users[role_or_user] if isinstance(role_or_user, str) else role_or_user
        c = Client()
        c.force_login(user)
        return c

    return make


# --- Browser tests: Playwright drives Debian's Chromium (no browser download) -----------------

CHROMIUM = os.environ.get("KETACARE_CHROMIUM", "/usr/bin/chromium")


def pytest_collection_modifyitems(config, items):
    """Skip browser tests locally when Chromium is missing; under CI=true they must run."""
    if os.path.exists(CHROMIUM) or os.environ.get("CI") == "true":
        return
    skip = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM} (apt-get install chromium chromium-driver)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser page (tablet-sized) whose relative URLs go to the live server."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1024, "height": 800})
    context.set_default_timeout(15000)
    pg = context.new_page()
    errors = []
    pg.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    pg.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status == 404 and "/static/" in r.url else None)
    pg.csp_errors = errors
    yield pg
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    """A page at a phone's viewport."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 375, "height": 740},
                                  is_mobile=True, has_touch=True)
    context.set_default_timeout(15000)
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture
def sign_in(page):
    """Sign `page` in as a username with the persona password."""
    from ketacare.testing import PASSWORD

    def do(username, password=PASSWORD, pg=None):
        pg = pg or page
        pg.goto("/accounts/sign-in/")
        pg.fill("#id_username", username)
        pg.fill("#id_password", password)
        with pg.expect_navigation():
            pg.click("button[type=submit]")
        if "/accounts/sign-in/code/" in pg.url:  # a persona with the test authenticator app (ketacare.testing.enrol)
            from ketacare.testing import totp_now

            pg.fill("#id_code", totp_now())
            with pg.expect_navigation():
                pg.click("form:not([data-passkey]) button[type=submit]")
        return pg

    return do
