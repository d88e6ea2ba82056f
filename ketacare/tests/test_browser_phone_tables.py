"""Every table fits a 390 px phone without cutting content (issue 10 "Words a person reads").

Headless Chromium at 390 px opens the pages of the demo clinic that a prescriber, a nurse, a clinic admin and
an inventory officer use. On each, the page itself must not scroll sideways, and every visible table must fit
its container or sit in a container that scrolls sideways (scrollWidth beyond clientWidth only where overflow-x
lets a person scroll), never one that clips it.
"""

import pytest
from playwright.sync_api import Error as PlaywrightError

from ketacare.tests.test_words_on_pages import _pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MEASURE = """() => {
  const bad = [], root = document.documentElement;
  if (root.scrollWidth > root.clientWidth + 1) {
    const wide = [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > root.clientWidth + 1
      && ![...e.children].some(c => c.getBoundingClientRect().right > root.clientWidth + 1));
    bad.push(`page is ${root.scrollWidth}px wide: ` + wide.slice(0, 3).map(e => e.tagName.toLowerCase()
      + (e.className ? '.' + String(e.className).split(' ')[0] : '') + (e.id ? '#' + e.id : '')).join(', '));
  }
  for (const table of document.querySelectorAll('main table')) {
    if (!table.offsetParent) continue;
    let box = table, scrolls = false;  // the table itself may be the scroller (display: block on a phone)
    while (box && box !== document.body) {
      const overflow = getComputedStyle(box).overflowX;
      if (overflow === 'auto' || overflow === 'scroll') { scrolls = true; break; }
      if (overflow === 'hidden' || overflow === 'clip') break;
      box = box.parentElement;
    }
    const name = (table.closest('section')?.querySelector('h2')?.textContent || table.className || 'table').trim();
    if (!scrolls && box && box !== table && table.scrollWidth > box.clientWidth + 1) bad.push(`${name}: ${table.scrollWidth}px in ${box.clientWidth}px, cut`);
    if (scrolls && box.getBoundingClientRect().right > root.clientWidth + 1) bad.push(`${name}: scroller wider than the screen`);
  }
  return bad;
}"""


@pytest.fixture
def demo_clinic(transactional_db):
    from ketacare.demo import build_apps
    from ketacare.management.commands.demo import Command

    ctx = Command()._context(7, lambda message: None)
    ctx.small = True
    build_apps(ctx)
    return ctx


def test_every_table_fits_a_390px_phone_for_each_role(browser, live_server, demo_clinic):
    problems: dict[str, list[str]] = {}
    for role in ("prescriber", "nurse", "clinic_admin", "inventory_officer"):
        context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844},
                                      is_mobile=True, has_touch=True)
        context.set_default_timeout(15000)
        page = context.new_page()
        user = demo_clinic.users[role]
        password = demo_clinic.passwords[user.username]
        page.goto("/accounts/sign-in/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", password)
        with page.expect_navigation():
            page.click("button[type=submit]")
        seen = 0
        for route, path in _pages(demo_clinic.clinic):
            if not route.allows(role) or "sign-out" in path:
                continue
            try:
                response = page.goto(path)
            except PlaywrightError:  # a page that answers only POST (405) has nothing to lay out
                continue
            if response is None or response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
                continue
            seen += 1
            found = page.evaluate(MEASURE)
            if found:
                problems[f"{role} {path}"] = found
        context.close()
        assert seen > 3, f"{role} opened only {seen} pages"
    assert not problems, "\n".join(f"{k}: {v}" for k, v in problems.items())


def test_the_clinic_settings_page_is_usable_at_tablet_width(browser, live_server, world, sign_in):
    """At 768 px: no sideways scroll, inputs at least 16 px text and 200 px wide, each with its unit and default."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 768, "height": 1024}, has_touch=True)
    page = sign_in("a_clinic_admin", pg=context.new_page())  # the clinic admin signs in with the second factor
    page.goto("/accounts/settings/")
    report = page.evaluate("""() => {
      const root = document.documentElement, bad = [];
      if (root.scrollWidth > root.clientWidth + 1) bad.push(`page is ${root.scrollWidth}px wide`);
      for (const card of document.querySelectorAll('.setting')) {
        const input = card.querySelector('input, select, textarea'), name = card.querySelector('label').textContent;
        const size = parseFloat(getComputedStyle(input).fontSize), width = input.getBoundingClientRect().width;
        if (input.type !== 'checkbox' && (size < 16 || width < 200)) bad.push(`${name}: ${size}px text, ${width}px wide`);
        if (!card.textContent.includes('Default:')) bad.push(`${name}: no default shown`);
      }
      return {bad, count: document.querySelectorAll('.setting').length};
    }""")
    context.close()
    assert report["count"] > 20 and report["bad"] == []
