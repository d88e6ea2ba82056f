"""Settings checked as a whole (issue 14 item 5, ADR 0017): worked examples and properties."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinical.settings_check import (
    check_clinic_settings,
    check_contraindications,
    check_protocol,
    check_thresholds,
)
from clinical.thresholds import DEFAULT_THRESHOLDS

CEILING = Decimal("1.0")
GOOD_PROTOCOL = {"mg_per_kg": "0.5", "max_mg_per_kg": "0.75", "max_total_mg": "100", "vial_mg_per_ml": "10",
                 "bag_volume_ml": "100", "infusion_min": 40, "n_infusions": 6, "bp_every_min_infusing": 10,
                 "bp_every_min_recovering": 15, "thresholds": dict(DEFAULT_THRESHOLDS)}


def test_the_default_thresholds_and_protocol_pass():
    assert check_protocol(GOOD_PROTOCOL, ceiling_mg_per_kg=CEILING) == {}


def test_a_code_in_both_contraindication_lists_is_refused_on_the_relative_list():
    errors = check_contraindications(["pregnancy: Pregnancy", "psychosis: Psychosis"], ["psychosis: Psychosis history"])
    assert list(errors) == ["relative_contraindications"]
    assert "psychosis cannot be both absolute and relative" in errors["relative_contraindications"]


def test_a_code_listed_twice_and_a_malformed_code_are_both_named():
    errors = check_contraindications(["pregnancy: A", "pregnancy: B", "Bad Code: x"], [])
    assert "listed more than once: pregnancy" in errors["absolute_contraindications"]
    assert "'Bad Code'" in errors["absolute_contraindications"]


@pytest.mark.parametrize(("change", "key"), [
    ({"max_total_mg": "-1"}, "max_total_mg"),
    ({"max_total_mg": "-5"}, "max_total_mg"),
    ({"max_total_mg": "0"}, "max_total_mg"),
    ({"max_total_mg": "5000"}, "max_total_mg"),
    ({"max_mg_per_kg": "-0.2"}, "max_mg_per_kg"),
    ({"max_mg_per_kg": "1.5"}, "max_mg_per_kg"),  # above the clinic's hard ceiling of 1.0 mg/kg
    ({"mg_per_kg": "0.8"}, "mg_per_kg"),  # above the protocol's own maximum of 0.75
    ({"bag_volume_ml": "0"}, "bag_volume_ml"),
    ({"thresholds": {**DEFAULT_THRESHOLDS, "sbp_pause": 150}}, "sbp_pause"),  # below do-not-start 160
    ({"thresholds": {**DEFAULT_THRESHOLDS, "spo2_stop_below": 95}}, "spo2_stop_below"),  # above warn 92
    ({"thresholds": {**DEFAULT_THRESHOLDS, "sbp_do_not_start": 18}}, "sbp_do_not_start"),
    ({"thresholds": {**DEFAULT_THRESHOLDS, "rr_warn_below": 0}}, "rr_warn_below"),
])
def test_a_protocol_with_contradictory_or_impossible_limits_is_refused(change, key):
    assert key in check_protocol({**GOOD_PROTOCOL, **change}, ceiling_mg_per_kg=CEILING)


def test_every_problem_of_a_protocol_is_named_at_once():
    bad = {**GOOD_PROTOCOL, "max_total_mg": "-1", "bag_volume_ml": "-3",
           "thresholds": {**DEFAULT_THRESHOLDS, "sbp_pause": 100, "hr_warn_above": 400}}
    assert set(check_protocol(bad, ceiling_mg_per_kg=CEILING)) == {"max_total_mg", "bag_volume_ml", "sbp_pause", "hr_warn_above"}


def test_an_unknown_threshold_key_is_refused():
    assert check_thresholds({"sbp_panic": 200}) == {"sbp_panic": "Unknown threshold."}


def test_clinic_hours_must_be_ordered_and_one_day_open():
    errors = check_clinic_settings({"schedule_open": "18:00", "schedule_close": "08:00",
                                    "schedule_closed_weekdays": ["monday", "tuesday", "wednesday", "thursday",
                                                                 "friday", "saturday", "sunday"]})
    assert set(errors) == {"schedule_close", "schedule_closed_weekdays"}


codes = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)


@given(st.lists(codes, unique=True, max_size=6), st.lists(codes, unique=True, max_size=6))
def test_contraindication_lists_pass_exactly_when_they_share_no_code(absolute, relative):
    errors = check_contraindications(absolute, relative)
    assert (errors == {}) == (not set(absolute) & set(relative))


@given(st.decimals(min_value=Decimal("-1000"), max_value=Decimal("2000"), places=1))
def test_a_max_total_passes_only_when_positive_and_at_most_1000(total):
    errors = check_protocol({**GOOD_PROTOCOL, "max_total_mg": total}, ceiling_mg_per_kg=CEILING)
    assert ("max_total_mg" not in errors) == (Decimal("0") < total <= Decimal("1000"))
