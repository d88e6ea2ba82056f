"""Dose and pump arithmetic (CLINICAL.md section 2; rounding: docs/adr/0003-dose-rounding.md)."""

from dataclasses import replace
from decimal import Decimal as D
from typing import Any, cast

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinical.dosing import (
    DoseInputs,
    DoseLimits,
    Sex,
    WeightBasis,
    adjusted_body_weight_kg,
    check_independent_verification,
    ideal_body_weight_kg,
    plan_dose,
)
from clinical.errors import ClinicalError

LIMITS = DoseLimits()
WIDE = DoseLimits(max_mg_per_kg=D("5"), max_total_mg=D("2000"), min_duration_min=D("1"))


def inputs(**overrides: object) -> DoseInputs:
    """An 80 kg, 178 cm man, 0.5 mg/kg from a 10 mg/mL vial in 100 mL over 40 min."""
    values: dict[str, object] = {
        "mg_per_kg": D("0.5"),
        "actual_weight_kg": D("80"),
        "height_cm": D("178"),
        "sex": Sex.MALE,
        "vial_mg_per_ml": D("10"),
    }
    values.update(overrides)
    return DoseInputs(**cast(Any, values))


# Worked examples, by hand:
# * male 178 cm: 178 / 2.54 = 70.0787 in; 10.0787 in over 5 ft x 2.3 = 23.1811 kg;
#   IBW = 50 + 23.1811 = 73.1811 kg -> 73.2 kg.
#   adjusted = 73.1811 + 0.4 x (80 - 73.1811) = 73.1811 + 2.7276 = 75.9087 kg -> 75.9 kg.
# * female 165 cm: 165 / 2.54 = 64.9606 in; 4.9606 x 2.3 = 11.4094; IBW = 45.5 + 11.4094 = 56.9094 kg.
#   adjusted for 90 kg = 56.9094 + 0.4 x 33.0906 = 70.1457 kg -> 70.1 kg.
# Rate: 100 mL / (40 min / 60) = 150 mL/h whatever the weight.
WORKED = [
    # basis, sex, height, weight, vial, -> weight used, total mg, drawn mL, bag mg/mL
    (WeightBasis.ACTUAL, Sex.MALE, "178", "80", "10", "80.0", "40.0", "4.00", "0.400"),
    # 0.5 x 73.1811 = 36.5906 mg; / 10 = 3.6591 mL; / 100 = 0.3659 mg/mL
    (WeightBasis.IDEAL, Sex.MALE, "178", "80", "10", "73.2", "36.6", "3.66", "0.366"),
    # 0.5 x 75.9087 = 37.9543 mg; / 10 = 3.7954 mL; / 100 = 0.3795 mg/mL
    (WeightBasis.ADJUSTED, Sex.MALE, "178", "80", "10", "75.9", "38.0", "3.80", "0.380"),
    # 0.5 x 56.9094 = 28.4547 mg; / 50 = 0.5691 mL; / 100 = 0.2845 mg/mL
    (WeightBasis.IDEAL, Sex.FEMALE, "165", "90", "50", "56.9", "28.5", "0.57", "0.285"),
    # 0.5 x 70.1457 = 35.0728 mg; / 100 = 0.3507 mL; / 100 = 0.3507 mg/mL
    (WeightBasis.ADJUSTED, Sex.FEMALE, "165", "90", "100", "70.1", "35.1", "0.35", "0.351"),
]


@pytest.mark.parametrize(("basis", "sex", "height", "weight", "vial", "used", "total", "drawn", "bag"), WORKED)
def test_plan_matches_worked_example_for_each_weight_basis(
    basis: WeightBasis, sex: Sex, height: str, weight: str, vial: str, used: str, total: str, drawn: str, bag: str
) -> None:
    plan = plan_dose(
        inputs(basis=basis, sex=sex, height_cm=D(height), actual_weight_kg=D(weight), vial_mg_per_ml=D(vial)),
        LIMITS,
    )
    assert (plan.weight_used_kg, plan.total_mg, plan.volume_drawn_ml, plan.bag_mg_per_ml) == (
        D(used), D(total), D(drawn), D(bag)
    )
    assert plan.rate_ml_per_h == D("150.0")
    assert not plan.overridden


def test_plan_shows_each_step_of_the_arithmetic() -> None:
    plan = plan_dose(inputs(basis=WeightBasis.ADJUSTED), LIMITS)
    assert plan.steps == (
        "Height 178 cm / 2.54 = 70.08 in",
        "Ideal body weight (male) = 50 kg + 2.3 kg x (70.08 in - 60 in) = 73.2 kg",
        "Adjusted body weight = 73.2 kg + 0.4 x (80.0 kg - 73.2 kg) = 75.9 kg",
        "0.5 mg/kg x 75.9 kg = 38.0 mg",
        "38.0 mg / 10 mg/mL = 3.80 mL drawn from the vial",
        "38.0 mg / 100 mL bag = 0.380 mg/mL",
        "100 mL / (40 min / 60) = 150.0 mL/h",
    )


def test_plan_records_ideal_weight_only_when_it_was_used() -> None:
    assert plan_dose(inputs(), LIMITS).ideal_weight_kg is None
    assert plan_dose(inputs(basis=WeightBasis.ADJUSTED), LIMITS).ideal_weight_kg == D("73.2")


@pytest.mark.parametrize(
    ("bag_ml", "duration_min", "rate"),
    [
        ("100", "40", "150.0"),  # 100 / (40/60) = 150
        ("100", "45", "133.3"),  # 100 / 0.75 = 133.33
        ("250", "40", "375.0"),  # 250 / (40/60) = 375
        ("50", "40", "75.0"),  # 50 / (40/60) = 75
        ("100", "60", "100.0"),
        ("100", "70", "85.7"),  # 6000 / 70 = 85.714
        ("100", "35", "171.4"),  # 6000 / 35 = 171.43 (shorter than the default minimum: wide limits)
    ],
)
def test_pump_rate_is_bag_volume_over_duration_in_hours(bag_ml: str, duration_min: str, rate: str) -> None:
    plan = plan_dose(inputs(bag_volume_ml=D(bag_ml), duration_min=D(duration_min)), WIDE)
    assert plan.rate_ml_per_h == D(rate)


@pytest.mark.parametrize(
    ("weight", "total", "drawn"),
    [
        ("72.5", "36.3", "3.63"),  # 36.25 mg rounds half up (half-even would give 36.2); 3.625 mL -> 3.63
        ("72.45", "36.2", "3.62"),  # 36.225 mg -> 36.2; 3.6225 mL -> 3.62
        ("72.7", "36.4", "3.64"),  # 36.35 mg -> 36.4 (half up), 3.635 mL -> 3.64
        ("72.69", "36.3", "3.63"),  # 36.345 mg -> 36.3, computed from unrounded values not from 36.35
    ],
)
def test_rounding_is_half_up_once_from_unrounded_values(weight: str, total: str, drawn: str) -> None:
    plan = plan_dose(inputs(actual_weight_kg=D(weight)), LIMITS)
    assert (plan.total_mg, plan.volume_drawn_ml) == (D(total), D(drawn))


# --- Devine ideal body weight ------------------------------------------------


def test_ideal_weight_at_exactly_5_ft_is_the_base_weight() -> None:
    assert ideal_body_weight_kg(D("152.4"), Sex.MALE) == D("50")
    assert ideal_body_weight_kg(D("152.4"), Sex.FEMALE) == D("45.5")


@pytest.mark.parametrize("basis", [WeightBasis.IDEAL, WeightBasis.ADJUSTED])
def test_ideal_and_adjusted_bases_are_refused_under_5_ft(basis: WeightBasis) -> None:
    with pytest.raises(ClinicalError, match="not defined under 5 ft"):
        plan_dose(inputs(basis=basis, height_cm=D("152.3")), LIMITS)


def test_actual_basis_is_allowed_under_5_ft() -> None:
    assert plan_dose(inputs(height_cm=D("140")), LIMITS).total_mg == D("40.0")


@pytest.mark.parametrize("sex", [Sex.OTHER, Sex.UNKNOWN])
def test_ideal_basis_refuses_sex_other_than_male_or_female(sex: Sex) -> None:
    with pytest.raises(ClinicalError, match="male or female only"):
        plan_dose(inputs(basis=WeightBasis.IDEAL, sex=sex), LIMITS)


@pytest.mark.parametrize("missing", ["sex", "height_cm"])
def test_ideal_basis_refuses_missing_height_or_sex(missing: str) -> None:
    with pytest.raises(ClinicalError, match="needs the patient's height and sex"):
        plan_dose(inputs(basis=WeightBasis.ADJUSTED, **{missing: None}), LIMITS)


def test_actual_basis_needs_neither_height_nor_sex() -> None:
    plan = plan_dose(inputs(height_cm=None, sex=Sex.UNKNOWN), LIMITS)
    assert plan.total_mg == D("40.0")


# --- protocol limits and override ---------------------------------------------


@pytest.mark.parametrize(
    ("mg_per_kg", "refused"),
    [("0.75", False), ("0.74", False), ("0.76", True), ("0.751", True)],
)
def test_mg_per_kg_limit_refuses_only_above_the_maximum(mg_per_kg: str, refused: bool) -> None:
    order = inputs(mg_per_kg=D(mg_per_kg), actual_weight_kg=D("60"))
    if refused:
        with pytest.raises(ClinicalError, match="above the protocol maximum of 0.75 mg/kg"):
            plan_dose(order, LIMITS)
    else:
        assert not plan_dose(order, LIMITS).overridden


@pytest.mark.parametrize(
    ("weight", "refused"),
    [
        ("200", False),  # 0.5 x 200 = 100.0 mg: at the limit
        ("199.9", False),  # 99.95 mg
        ("200.1", True),  # 100.05 mg -> 100.1 mg
        ("200.09", True),  # 100.045 mg shows as 100.0 but is above 100: refused all the same
    ],
)
def test_total_mg_limit_refuses_only_above_the_maximum(weight: str, refused: bool) -> None:
    order = inputs(actual_weight_kg=D(weight), bag_volume_ml=D("250"))
    if refused:
        with pytest.raises(ClinicalError, match="above the protocol maximum of 100 mg"):
            plan_dose(order, LIMITS)
    else:
        assert plan_dose(order, LIMITS).total_mg <= D("100")


@pytest.mark.parametrize(("duration", "refused"), [("40", False), ("39.9", True), ("4", True)])
def test_duration_shorter_than_the_protocol_minimum_is_refused(duration: str, refused: bool) -> None:
    order = inputs(duration_min=D(duration))
    if refused:
        with pytest.raises(ClinicalError, match="shorter than the protocol minimum of 40 min"):
            plan_dose(order, LIMITS)
    else:
        assert plan_dose(order, LIMITS).rate_ml_per_h == D("150.0")


def test_total_limit_off_the_rounding_grid_is_checked_against_the_rounded_total() -> None:
    # 0.5 x 199.9 = 99.95 mg, shown as 100.0 mg: above a 99.95 mg limit once rounded.
    limits = DoseLimits(max_total_mg=D("99.95"))
    with pytest.raises(ClinicalError, match="100.0 mg is above"):
        plan_dose(inputs(actual_weight_kg=D("199.9"), bag_volume_ml=D("250")), limits)


def test_refusal_lists_every_limit_exceeded() -> None:
    with pytest.raises(ClinicalError) as caught:
        plan_dose(inputs(mg_per_kg=D("0.8"), actual_weight_kg=D("150"), bag_volume_ml=D("250")), LIMITS)
    message = str(caught.value)
    assert "0.8 mg/kg is above" in message and "120.0 mg is above" in message
    assert "override with a written reason" in message


def test_override_with_a_written_reason_records_it() -> None:
    plan = plan_dose(inputs(mg_per_kg=D("0.8")), LIMITS, override_reason="  Protocol B, Dr Synthetic, week 2  ")
    assert plan.overridden
    assert plan.override_reason == "Protocol B, Dr Synthetic, week 2"
    assert plan.total_mg == D("64.0")
    assert plan.exceeded_limits == ("0.8 mg/kg is above the protocol maximum of 0.75 mg/kg",)


@pytest.mark.parametrize("blank", ["", "   ", None])
def test_blank_override_reason_does_not_override(blank: str | None) -> None:
    with pytest.raises(ClinicalError, match="Dose refused"):
        plan_dose(inputs(mg_per_kg=D("0.8")), LIMITS, override_reason=blank)


def test_unneeded_override_reason_is_not_recorded_as_an_override() -> None:
    plan = plan_dose(inputs(), LIMITS, override_reason="just in case")
    assert not plan.overridden and plan.override_reason is None
    assert any("no protocol limit was exceeded" in note for note in plan.notes)


@pytest.mark.parametrize("basis", [WeightBasis.IDEAL, WeightBasis.ADJUSTED])
def test_an_ideal_or_adjusted_weight_above_actual_never_raises_the_dose(basis: WeightBasis) -> None:
    # Woman 170 cm, 45 kg: IBW = 45.5 + 2.3 x (66.929 - 60) = 61.437 kg; adjusted = 61.437 + 0.4 x (45 - 61.437)
    # = 54.862 kg. Both are above 45 kg, so the dose is 0.5 x 45 = 22.5 mg (not 30.7 or 27.4 mg).
    order = inputs(basis=basis, sex=Sex.FEMALE, height_cm=D("170"), actual_weight_kg=D("45"))
    plan = plan_dose(order, LIMITS)
    assert (plan.weight_used_kg, plan.total_mg, plan.ideal_weight_kg) == (D("45.0"), D("22.5"), D("61.4"))
    shown = {WeightBasis.IDEAL: "61.4", WeightBasis.ADJUSTED: "54.9"}[basis]
    said = f"The {basis.value} body weight ({shown} kg) is above the actual weight (45.0 kg): the dose uses the actual weight"
    assert any(said in note for note in plan.notes) and any(said in step for step in plan.steps)
    assert "0.5 mg/kg x 45.0 kg = 22.5 mg" in plan.steps
    # At the protocol maximum the dose stays within it: 0.75 x 45 = 33.75 mg = 0.75 mg/kg of actual weight.
    assert plan_dose(replace(order, mg_per_kg=D("0.75")), LIMITS).total_mg == D("33.8")


def test_an_ideal_weight_below_actual_is_used_without_a_note() -> None:
    plan = plan_dose(inputs(basis=WeightBasis.IDEAL), LIMITS)  # 80 kg man, 178 cm: IBW 73.2 kg
    assert plan.weight_used_kg == D("73.2") and not any("actual weight" in n for n in plan.notes)


# --- dilution and bag ---------------------------------------------------------


def test_100_mg_per_ml_strength_is_noted_as_diluted() -> None:
    plan = plan_dose(inputs(vial_mg_per_ml=D("100")), LIMITS)
    assert plan.volume_drawn_ml == D("0.40")
    assert any("must be diluted before IV use" in note for note in plan.notes)


def test_10_mg_per_ml_strength_has_no_dilution_note() -> None:
    assert plan_dose(inputs(), LIMITS).notes == ()


@pytest.mark.parametrize(("bag_ml", "refused"), [("0.8", False), ("0.79", True)])
def test_100_mg_per_ml_needs_at_least_an_equal_volume_of_diluent(bag_ml: str, refused: bool) -> None:
    order = inputs(vial_mg_per_ml=D("100"), bag_volume_ml=D(bag_ml))  # 40 mg = 0.4 mL drawn
    if refused:
        with pytest.raises(ClinicalError, match="diluted with at least an equal volume"):
            plan_dose(order, LIMITS)
    else:
        assert plan_dose(order, LIMITS).bag_mg_per_ml == D("50.000")


@pytest.mark.parametrize(("bag_ml", "refused"), [("4", False), ("3.99", True)])
def test_volume_drawn_cannot_exceed_the_bag_volume(bag_ml: str, refused: bool) -> None:
    order = inputs(bag_volume_ml=D(bag_ml))  # 40 mg from 10 mg/mL = 4 mL drawn
    if refused:
        with pytest.raises(ClinicalError, match="more than the final bag volume"):
            plan_dose(order, LIMITS)
    else:
        assert plan_dose(order, LIMITS).volume_drawn_ml == D("4.00")


def test_vial_strength_outside_the_formulary_is_refused() -> None:
    with pytest.raises(ClinicalError, match="not in the clinic's formulary"):
        plan_dose(inputs(vial_mg_per_ml=D("5")), LIMITS)


# --- absurd input -------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("actual_weight_kg", D("0"), "actual_weight_kg must be above 0"),
        ("actual_weight_kg", D("-70"), "actual_weight_kg must be above 0"),
        ("actual_weight_kg", D("350.1"), "at most 350 kg"),
        ("mg_per_kg", D("0"), "mg_per_kg must be above 0"),
        ("mg_per_kg", D("-0.5"), "mg_per_kg must be above 0"),
        ("duration_min", D("0"), "duration_min must be above 0"),
        ("duration_min", D("480.1"), "at most 480 min"),
        ("bag_volume_ml", D("0"), "bag_volume_ml must be above 0"),
        ("bag_volume_ml", D("1000.1"), "at most 1000 mL"),
        ("height_cm", D("0"), "height_cm must be above 0"),
        ("height_cm", D("250.1"), "at most 250 cm"),
        ("vial_mg_per_ml", D("0"), "vial_mg_per_ml must be above 0"),
        ("actual_weight_kg", D("NaN"), "must be a number"),
        ("mg_per_kg", 0.5, "must be a Decimal, not float"),
    ],
)
def test_absurd_input_is_refused_with_a_clear_message(field: str, value: object, message: str) -> None:
    with pytest.raises(ClinicalError, match=message):
        inputs(**{field: value})


def test_weight_at_the_plausibility_bound_is_accepted() -> None:
    assert inputs(actual_weight_kg=D("350")).actual_weight_kg == D("350")


@pytest.mark.parametrize(
    "limits",
    [
        {"max_mg_per_kg": D("0")},
        {"max_total_mg": D("-1")},
        {"min_duration_min": D("0")},
        {"vial_strengths_mg_per_ml": ()},
        {"vial_strengths_mg_per_ml": (D("0"),)},
    ],
)
def test_dose_limits_refuse_non_positive_values(limits: dict[str, Any]) -> None:
    with pytest.raises(ClinicalError):
        DoseLimits(**limits)


# --- independent verification -------------------------------------------------


PLAN = plan_dose(inputs(), LIMITS)  # 40.0 mg at 150.0 mL/h


@pytest.mark.parametrize(
    ("typed_mg", "typed_rate", "count"),
    [
        ("40.0", "150.0", 0),
        ("40", "150", 0),  # same numbers, fewer digits
        ("40.1", "150.0", 1),
        ("4.0", "150.0", 1),  # a tenfold slip
        ("40.0", "15.0", 1),
        ("36.6", "133.3", 2),
    ],
)
def test_independent_verification_lists_each_mismatch(typed_mg: str, typed_rate: str, count: int) -> None:
    assert len(check_independent_verification(PLAN, D(typed_mg), D(typed_rate))) == count


def test_independent_verification_message_stays_blind() -> None:
    # Issue 10: the checker is told which figure differs, never the plan's figure (150.0 mL/h here).
    (mismatch,) = check_independent_verification(PLAN, D("40.0"), D("15.0"))
    assert mismatch == "Pump rate: your 15.0 mL/h differs from the plan."
    assert "150" not in mismatch


@given(st.decimals(min_value=D("0.1"), max_value=D("999.9"), places=1),
       st.decimals(min_value=D("0.1"), max_value=D("999.9"), places=1))
def test_no_mismatch_message_carries_a_figure_of_the_plan(typed_mg: D, typed_rate: D) -> None:
    for message in check_independent_verification(PLAN, typed_mg, typed_rate):
        own = typed_mg if message.startswith("Total dose") else typed_rate
        rest = message.replace(f"your {own} ", "your ")
        assert not any(ch.isdigit() for ch in rest), message


def test_independent_verification_refuses_a_float() -> None:
    with pytest.raises(ClinicalError, match="must be a Decimal"):
        check_independent_verification(PLAN, cast(Any, 40.0), D("150"))


# --- properties ---------------------------------------------------------------

heights = st.decimals(min_value=D("152.4"), max_value=D("250"), places=1)
weights = st.decimals(min_value=D("20"), max_value=D("350"), places=1)


@given(
    mg_per_kg=st.decimals(min_value=D("0.01"), max_value=D("2"), places=2),
    weight=weights,
    height=heights,
    sex=st.sampled_from([Sex.MALE, Sex.FEMALE]),
    basis=st.sampled_from(list(WeightBasis)),
    max_mg_per_kg=st.decimals(min_value=D("0.1"), max_value=D("1"), places=2),
    max_total_mg=st.decimals(min_value=D("10"), max_value=D("300"), places=2),
)
def test_total_never_exceeds_the_limits_without_an_override(
    mg_per_kg: D, weight: D, height: D, sex: Sex, basis: WeightBasis, max_mg_per_kg: D, max_total_mg: D
) -> None:
    limits = DoseLimits(max_mg_per_kg=max_mg_per_kg, max_total_mg=max_total_mg)
    order = DoseInputs(
        mg_per_kg=mg_per_kg, actual_weight_kg=weight, height_cm=height, sex=sex, basis=basis,
        vial_mg_per_ml=D("10"), bag_volume_ml=D("1000"),
    )
    try:
        plan = plan_dose(order, limits)
    except ClinicalError as refusal:
        assert "Dose refused" in str(refusal)
        return
    assert not plan.overridden
    assert plan.total_mg <= max_total_mg
    assert mg_per_kg <= max_mg_per_kg
    assert plan.total_mg / weight <= max_mg_per_kg + D("0.05") / weight  # within one rounding step


@given(
    bag=st.decimals(min_value=D("10"), max_value=D("1000"), places=1),
    duration=st.decimals(min_value=D("1"), max_value=D("480"), places=1),
)
def test_rate_times_duration_gives_the_bag_volume_within_rounding(bag: D, duration: D) -> None:
    plan = plan_dose(inputs(mg_per_kg=D("0.1"), bag_volume_ml=bag, duration_min=duration), WIDE)
    hours = duration / 60
    # The rate is rounded to 0.1 mL/h, so the volume is off by at most 0.05 mL/h x hours (plus Decimal noise).
    assert abs(plan.rate_ml_per_h * hours - bag) <= D("0.05") * hours + D("1e-20")


@given(weight=weights, height=heights, sex=st.sampled_from([Sex.MALE, Sex.FEMALE]))
def test_adjusted_weight_lies_between_ideal_and_actual(weight: D, height: D, sex: Sex) -> None:
    ideal = ideal_body_weight_kg(height, sex)
    adjusted = adjusted_body_weight_kg(weight, ideal)
    assert min(ideal, weight) <= adjusted <= max(ideal, weight)


@given(weight=weights, mg_per_kg=st.decimals(min_value=D("0.1"), max_value=D("0.75"), places=2))
def test_actual_basis_total_is_mg_per_kg_times_weight_rounded_half_up(weight: D, mg_per_kg: D) -> None:
    plan = plan_dose(inputs(mg_per_kg=mg_per_kg, actual_weight_kg=weight, bag_volume_ml=D("1000")), WIDE)
    assert abs(plan.total_mg - mg_per_kg * weight) <= D("0.05")


# --- the hard ceiling (CLINICAL.md section 2) ---------------------------------


@pytest.mark.parametrize(("mg_per_kg", "refused"), [(D("1.0"), False), (D("1.01"), True), (D("50"), True)])
def test_no_override_passes_the_hard_ceiling(mg_per_kg: D, refused: bool) -> None:
    # 80 kg x 1.0 mg/kg = 80 mg: above the protocol's 0.75 mg/kg, at the 1.0 mg/kg ceiling.
    order = inputs(mg_per_kg=mg_per_kg, vial_mg_per_ml=D("50"), bag_volume_ml=D("250"))
    if refused:
        with pytest.raises(ClinicalError, match="hard ceiling of 1.0 mg/kg, which no override passes"):
            plan_dose(order, WIDE, override_reason="Treatment-resistant, agreed with the patient")
    else:
        plan = plan_dose(order, LIMITS, override_reason="Treatment-resistant, agreed with the patient")
        assert plan.overridden and plan.total_mg == D("80.0")


def test_the_ceiling_is_the_clinics_setting() -> None:
    strict = replace(WIDE, ceiling_mg_per_kg=D("0.6"))
    with pytest.raises(ClinicalError, match="0.700 mg/kg is above the clinic's hard ceiling of 0.6"):
        plan_dose(inputs(mg_per_kg=D("0.7")), strict, override_reason="Treatment-resistant, agreed")


@pytest.mark.parametrize("reason", ["x", "ok", "14 characters!"])
def test_an_override_reason_must_be_a_real_sentence(reason: str) -> None:
    assert len(reason.strip()) < 15
    with pytest.raises(ClinicalError, match="at least 15 characters"):
        plan_dose(inputs(mg_per_kg=D("0.8")), LIMITS, override_reason=reason)
