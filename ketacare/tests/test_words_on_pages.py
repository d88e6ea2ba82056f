"""No raw code reaches a page (issue 10 "Words a person reads"): walk every page of the demo clinic as each role.

For every page route a role may open (GET, samples from the route matrix), the visible text (tags, scripts,
styles and attribute values removed) must hold no snake_case token (`not_applicable`, `systolic_mmhg`, a rule
id), no vocabulary value squashed into one word ("Needsreview"), and no joined CamelCase enum name
("NeedsReview"); times shown are the clinic's, never labelled UTC.
"""

import html
import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.test import Client

from accounts.access import URL_SAMPLES
from accounts.choices import Role
from ketacare.testing import demo_rolled_back

from .routes import page_routes

pytestmark = pytest.mark.django_db
ROLES = list(Role.values)

SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
CAMEL = re.compile(r"\b[A-Z][a-z]+(?:[A-Z][a-z]+)+\b")
# Joined capitals that are names, not codes: the product, and the standards the pages name.
NAMES = {"KetaCare", "PostgreSQL", "SQLite", "JavaScript", "OpenAPI"}
# Not read as page words: code, and a textarea's content (the value a person typed and edits, e.g. 'code: label').
SKIP = {"script", "style", "template", "svg", "textarea"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIP:
            self._skipping += 1
        for name, value in attrs:  # what a person reads from attributes: placeholders, labels, titles
            if name in ("placeholder", "aria-label", "title", "alt") and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIP and self._skipping:
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def visible_text(page: str) -> str:
    parser = _Text()
    parser.feed(page)
    return html.unescape(" ".join(parser.parts))


def _vocabulary() -> set[str]:
    """Every snake value of every TextChoices field, squashed ("needs_review" -> "needsreview")."""
    squashed: set[str] = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            for value, _ in getattr(field, "choices", None) or []:
                if isinstance(value, str) and "_" in value:
                    squashed.add(value.replace("_", "").lower())
    return squashed


def raw_codes(text: str, allowed: set[str], squashed: set[str]) -> set[str]:
    """The tokens of `text` that look like codes rather than words."""
    found = {t for t in SNAKE.findall(text) if t not in allowed}
    found |= {t for t in CAMEL.findall(text) if t not in NAMES and t not in allowed}
    found |= {w for w in re.findall(r"[A-Za-z][A-Za-z0-9]*", text) if w.lower() in squashed and w not in allowed}
    if re.search(r"\d{2}:\d{2}(?::\d{2})? ?UTC\b", text):
        found.add("a time labelled UTC")
    return found


def test_the_detector_finds_each_kind_of_raw_code():
    text = visible_text("<p>Needsreview · not_applicable · <b>systolic_mmhg</b> NeedsReview 10:05 UTC</p>"
                        "<script>var not_shown_code = 1;</script><input value='hidden_value'>")
    assert raw_codes(text, set(), {"needsreview"}) == {"Needsreview", "not_applicable", "systolic_mmhg", "NeedsReview",
                                                        "a time labelled UTC"}
    assert raw_codes(visible_text("<p>Needs review · Not applicable · Systolic BP · KetaCare</p>"), set(),
                     {"needsreview"}) == set()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with demo_rolled_back(django_db_blocker, small=True) as ctx:
        yield ctx


def _people(ctx) -> set[str]:
    """What people typed that may look like a code: usernames and e-mail addresses of the fixture."""
    from accounts.models import User

    names = set(User.objects.values_list("username", flat=True))
    return names | {e.split("@")[0] for e in User.objects.exclude(email="").values_list("email", flat=True)}


def _pages(clinic) -> list[tuple[object, str]]:
    out = []
    for route in page_routes():
        if route.roles is None or route.public or "token" in route.kwargs:
            continue
        path = route.path_template
        for kwarg in route.kwargs:
            value = URL_SAMPLES[kwarg](clinic) if kwarg in URL_SAMPLES else None
            if value is None:
                path = None
                break
            path = path.replace(f"<int:{kwarg}>", str(value)).replace(f"<str:{kwarg}>", str(value))
            path = path.replace(f"<{kwarg}>", str(value))
        if path is not None and "<" not in path:
            out.append((route, path))
    return out


@pytest.mark.parametrize("role", ROLES)
def test_no_page_shows_a_raw_code_to_any_role(demo, role):
    client = Client()
    client.force_login(demo.users[role])
    allowed, squashed = _people(demo), _vocabulary()
    problems: dict[str, set[str]] = {}
    walked = 0
    for route, path in _pages(demo.clinic):
        if not route.allows(role):
            continue
        response = client.get(path)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        walked += 1
        found = raw_codes(visible_text(response.content.decode()), allowed, squashed)
        if found:
            problems[path] = found
    assert walked > 3, f"{role} opened only {walked} pages"
    assert not problems, f"raw codes shown to {role}: {problems}"
