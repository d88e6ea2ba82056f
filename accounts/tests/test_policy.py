"""Clinic policy settings: each kind parses and checks its value; an update stores all or nothing."""

from decimal import Decimal

import pytest

from accounts import services
from accounts.models import Clinic
from accounts.policy import Setting, policy_value, registry
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _int(**extra):
    return Setting("n", "Number of things", "int", 3, min=1, max=10, **extra)


@pytest.mark.parametrize(("raw", "parsed"), [("4", 4), (" 7 ", 7), (1, 1), (10, 10)])
def test_a_whole_number_setting_accepts_numbers_within_its_bounds(raw, parsed):
    assert _int().parse(raw) == parsed


@pytest.mark.parametrize(("raw", "message"), [
    ("0", "at least 1"), ("11", "at most 10"), ("2.5", "whole number"), ("three", "whole number"),
    (True, "whole number"), ("", "whole number"),
])
def test_a_whole_number_setting_refuses_with_a_message_naming_it(raw, message):
    with pytest.raises(ValueError, match=message) as exc:
        _int().parse(raw)
    assert str(exc.value).startswith("Number of things")


def test_a_decimal_setting_keeps_the_exact_value_and_refuses_nan_and_infinity():
    s = Setting("cut", "Cut-point", "decimal", Decimal("33"), min=Decimal("0"), max=Decimal("80"))
    assert s.parse("31.5") == Decimal("31.5")
    for raw in ("NaN", "Infinity", "abc"):
        with pytest.raises(ValueError, match="must be a number"):
            s.parse(raw)
    with pytest.raises(ValueError, match="at most 80"):
        s.parse("80.01")


def test_a_list_setting_splits_lines_and_commas_and_drops_blanks():
    s = Setting("codes", "Codes", "list", [])
    assert s.parse("a: first\n\n b: second ,c") == ["a: first", "b: second", "c"]
    assert s.parse([" x ", "", "y"]) == ["x", "y"]


def test_a_choice_setting_names_the_allowed_values_when_refusing():
    s = Setting("basis", "Weight basis", "choice", "actual", choices=("actual", "ideal"))
    assert s.parse("ideal") == "ideal"
    with pytest.raises(ValueError, match="one of: actual, ideal"):
        s.parse("adjusted")


@pytest.mark.parametrize(("raw", "parsed"), [(True, True), ("on", True), ("Yes", True), ("1", True),
                                             ("off", False), ("", False), (False, False)])
def test_a_yes_no_setting_reads_form_checkbox_values(raw, parsed):
    assert Setting("flag", "Flag", "bool", False).parse(raw) is parsed


def test_a_text_setting_is_trimmed_and_limited_to_4000_characters():
    s = Setting("note", "Note", "text", "")
    assert s.parse("  hello ") == "hello"
    with pytest.raises(ValueError, match="too long"):
        s.parse("x" * 4001)


def test_every_app_setting_has_a_default_that_passes_its_own_check():
    settings = registry()
    assert {"lockout_failures", "min_failed_trials", "idle_timeout_min"} <= set(settings)
    for setting in settings.values():
        assert setting.parse(setting.default) == setting.default, setting.key


def test_a_clinic_without_stored_values_reads_the_defaults(world):
    assert policy_value(world.a, "lockout_failures") == 5
    assert policy_value(world.a, "min_failed_trials") == 2


def test_an_update_stores_parsed_values_and_audits_what_changed(world):
    assert services.update_policy(clinic=world.a, values={"lockout_failures": "7"}, by=world.clinic_admin) == {}
    stored = Clinic.objects.get(pk=world.a.pk)
    assert stored.policy["lockout_failures"] == 7 and policy_value(stored, "lockout_failures") == 7
    event = AuditEvent.objects.filter(action="policy_update").latest("pk")
    assert event.detail["changed"] == {"lockout_failures": [None, 7]}
    assert policy_value(world.b, "lockout_failures") == 5  # the other clinic keeps its own


def test_an_update_with_one_bad_value_stores_nothing(world):
    errors = services.update_policy(clinic=world.a, values={"lockout_failures": "4", "lockout_minutes": "0",
                                                            "no_such_setting": "1"}, by=world.clinic_admin)
    assert errors == {"lockout_minutes": "Lockout length must be at least 1.",
                      "no_such_setting": "Unknown setting."}
    assert Clinic.objects.get(pk=world.a.pk).policy.get("lockout_failures") is None
    assert not AuditEvent.objects.filter(action="policy_update").exists()
