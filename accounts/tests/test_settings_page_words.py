"""The clinic settings page reads well (issue 10): each setting with its default, its unit and a one-line explanation."""

import re

import pytest
from django.utils.html import escape

from accounts.policy import registry

pytestmark = pytest.mark.django_db
FILE_NAME = re.compile(r"\b[\w/.-]+\.(?:md|py|html|json|toml)\b|docs/")


@pytest.mark.parametrize("key", sorted(registry()))
def test_every_setting_has_a_one_line_explanation_without_file_names(key):
    setting = registry()[key]
    assert setting.help.strip(), f"{key} has no explanation"
    assert "\n" not in setting.help and len(setting.help) <= 240
    assert not FILE_NAME.search(setting.help + setting.label + setting.source), f"{key} names a file"


@pytest.mark.parametrize("key", sorted(k for k, s in registry().items() if s.kind in ("int", "decimal")))
def test_every_number_setting_names_its_unit(key):
    assert registry()[key].unit


def test_the_page_shows_each_setting_with_its_default_unit_and_explanation(client_for):
    page = client_for("clinic_admin").get("/accounts/settings/").content.decode()
    for setting in registry().values():
        block = page[page.index(f'for="p-{setting.key}"'):]
        block = block[:block.index('class="card setting') if 'class="card setting' in block else len(block)]
        assert "Default:" in block and escape(setting.help) in block, setting.key
        if setting.unit:
            assert f'<span class="unit">{setting.unit}</span>' in block, setting.key
    assert "CLINICAL.md" not in page and "docs/adr" not in page


def test_a_refused_setting_keeps_what_was_typed(client_for):
    page = client_for("clinic_admin").post("/accounts/settings/", {"lockout_minutes": "0"}).content.decode()
    assert 'name="lockout_minutes" value="0"' in page and "must be at least 1" in page
