"""Course outcome classification and clinic summaries: worked examples and properties."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinical.errors import ClinicalError
from clinical.outcomes import (
    PCL5,
    OutcomeDefinitions,
    PointOutcome,
    ScorePoint,
    classify_course,
    classify_point,
    course_baseline,
    proportion_ci,
    summarize,
)

DEFS = OutcomeDefinitions()
T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # Monday, baseline
DAY = timedelta(days=1)
# Mon/Wed/Fri x 2 at 09:00, starting the same day as the baseline.
INFUSIONS = [T0 + timedelta(hours=1) + d * DAY for d in (0, 2, 4, 7, 9, 11)]
BASE = ScorePoint(T0, 60, 0)


def point(day: int, total: Decimal | int, index: int | None = None) -> ScorePoint:
    return ScorePoint(T0 + day * DAY, total, day if index is None else index)


def one(total: Decimal | int, baseline: Decimal | int = 60, instrument: str = PCL5) -> PointOutcome:
    return classify_point(ScorePoint(T0 + DAY, total, 1), ScorePoint(T0, baseline, 0),
                          INFUSIONS, DEFS, instrument)


def test_describe_names_every_definition_in_force() -> None:
    assert DEFS.describe() == (
        "Response: >= 30% reduction from course baseline or a drop of >= 10 PCL-5 points; "
        "remission: PCL-5 total < 33; loss of response: first later assessment not meeting "
        "response; review prompt: no response after 3 infusions."
    )


# --- response -----------------------------------------------------------------

@pytest.mark.parametrize(
    ("baseline", "total", "instrument", "response"),
    [
        (70, 49, "iesr", True),  # exactly 30% reduction
        (Decimal("100"), Decimal("70.1"), "iesr", False),  # 29.9%
        (Decimal("100"), Decimal("70"), "iesr", True),
        (60, 50, PCL5, True),  # 10-point PCL-5 drop, only 16.7%
        (60, 51, PCL5, False),  # 9 points, 15%
        (60, 50, "iesr", False),  # the points rule is PCL-5 only
        (20, 14, PCL5, True),  # 6 points but 30%
        (20, 15, PCL5, False),
        (40, 45, PCL5, False),  # worse
    ],
)
def test_response_is_30_percent_or_10_pcl5_points(
    baseline: int | Decimal, total: int | Decimal, instrument: str, response: bool
) -> None:
    assert one(total, baseline, instrument).response is response


def test_change_is_reported_in_points_and_percent() -> None:
    outcome = one(49, 70)
    assert (outcome.change_points, outcome.change_pct) == (Decimal(-21), Decimal("-30.0"))


def test_percent_is_truncated_so_29_96_shows_as_29_9_and_is_no_response() -> None:
    outcome = one(Decimal("70.04"), 100, "iesr")
    assert outcome.change_pct == Decimal("-29.9")
    assert not outcome.response


def test_zero_baseline_has_no_percent_and_responds_only_by_points() -> None:
    assert one(0, 0).change_pct is None
    assert not one(0, 0).response
    assert not one(0, 0, "iesr").response


def test_points_criterion_can_be_turned_off() -> None:
    defs = OutcomeDefinitions(response_pcl5_points=None)
    outcome = classify_point(point(1, 50), BASE, INFUSIONS, defs, PCL5)
    assert not outcome.response
    assert "PCL-5 points" not in defs.describe()


# --- remission ----------------------------------------------------------------

@pytest.mark.parametrize(("total", "cutpoint", "remission"), [
    (32, 33, True), (33, 33, False), (30, 31, True), (31, 31, False),
])
def test_remission_is_pcl5_total_below_the_cutpoint(total: int, cutpoint: int, remission: bool) -> None:
    defs = OutcomeDefinitions(remission_cutpoint=cutpoint)
    assert classify_point(point(1, total), BASE, INFUSIONS, defs, PCL5).remission is remission


def test_remission_is_not_defined_for_other_instruments() -> None:
    assert one(5, 60, "phq9").remission is None


# --- course -------------------------------------------------------------------

def test_loss_of_response_is_the_first_later_assessment_not_meeting_response() -> None:
    series = [BASE, point(2, 55), point(5, 40), point(9, 38), point(14, 52), point(30, 35)]
    course = classify_course(series, BASE, INFUSIONS, DEFS, PCL5)
    assert course.responder
    assert course.first_response_at == T0 + 5 * DAY
    assert course.loss_of_response_at == T0 + 14 * DAY
    assert course.currently_responding is True
    assert course.currently_remitted is False
    assert not course.review_prompt


def test_no_loss_date_while_response_holds() -> None:
    series = [BASE, point(5, 40), point(9, 30)]
    course = classify_course(series, BASE, INFUSIONS, DEFS, PCL5)
    assert course.loss_of_response_at is None
    assert course.currently_remitted is True


@pytest.mark.parametrize(("day", "infusions_before", "prompt"), [
    (2, 1, False),  # after the 1st infusion
    (4, 2, False),  # Friday 08:00, before the 3rd infusion at 09:00
    (5, 3, True),  # after the 3rd infusion
])
def test_review_prompt_after_the_third_infusion_without_response(
    day: int, infusions_before: int, prompt: bool
) -> None:
    course = classify_course([BASE, point(day, 58)], BASE, INFUSIONS, DEFS, PCL5)
    assert course.points[-1].infusions_before == infusions_before
    assert course.review_prompt is prompt


def test_no_review_prompt_once_a_response_was_seen() -> None:
    series = [BASE, point(2, 45), point(5, 58)]
    course = classify_course(series, BASE, INFUSIONS, DEFS, PCL5)
    assert not course.review_prompt
    assert course.loss_of_response_at == T0 + 5 * DAY


def test_futility_threshold_is_a_clinic_setting() -> None:
    defs = OutcomeDefinitions(futility_after_infusions=4)
    course = classify_course([BASE, point(5, 58)], BASE, INFUSIONS, defs, PCL5)
    assert not course.review_prompt


def test_course_only_classifies_points_after_the_baseline_in_time_order() -> None:
    screening = ScorePoint(T0 - 10 * DAY, 70, 99)
    course = classify_course([point(9, 40), screening, BASE, point(2, 55)], BASE, INFUSIONS, DEFS, PCL5)
    assert [p.index for p in course.points] == [2, 9]


def test_course_with_no_later_assessment_has_no_current_state() -> None:
    course = classify_course([BASE], BASE, INFUSIONS, DEFS, PCL5)
    assert (course.responder, course.currently_remitted, course.review_prompt) == (False, None, False)


def test_course_baseline_is_the_last_score_before_the_first_infusion() -> None:
    screening = ScorePoint(T0 - 10 * DAY, 70, 99)
    assert course_baseline([point(2, 50), BASE, screening], INFUSIONS) == BASE


def test_course_baseline_refuses_when_nothing_precedes_the_first_infusion() -> None:
    with pytest.raises(ClinicalError, match="no baseline"):
        course_baseline([point(2, 50)], INFUSIONS)


def test_baseline_after_the_first_infusion_is_refused() -> None:
    late = point(2, 50)
    with pytest.raises(ClinicalError, match="before the first infusion"):
        classify_course([late], late, INFUSIONS, DEFS, PCL5)


def test_two_assessments_at_the_same_time_are_refused() -> None:
    with pytest.raises(ClinicalError, match="same time"):
        classify_course([BASE, point(2, 50), point(2, 51, 7)], BASE, INFUSIONS, DEFS, PCL5)


@pytest.mark.parametrize("total", [-1, Decimal("NaN"), Decimal("Infinity")])
def test_score_point_refuses_impossible_totals(total: int | Decimal) -> None:
    with pytest.raises(ClinicalError):
        ScorePoint(T0, total, 1)


def test_score_point_refuses_naive_time() -> None:
    with pytest.raises(ClinicalError, match="time zone"):
        ScorePoint(datetime(2026, 3, 2), 10, 1)  # noqa: DTZ001


@pytest.mark.parametrize("kwargs", [
    {"response_pct_reduction": 0}, {"response_pcl5_points": 0}, {"remission_cutpoint": 30},
    {"remission_cutpoint": 34}, {"futility_after_infusions": 0}, {"min_n_to_compare": 0},
])
def test_definitions_refuse_out_of_range_settings(kwargs: dict[str, int]) -> None:
    with pytest.raises(ClinicalError):
        OutcomeDefinitions(**kwargs)


# --- proportions and summaries ---------------------------------------------------

@pytest.mark.parametrize(("k", "n", "low", "high"), [
    # Reference values computed with the Wilson score formula, z = 1.96.
    (20, 30, 0.4878, 0.8077),
    (0, 10, 0.0, 0.2775),
    (10, 10, 0.7225, 1.0),
    (1, 2, 0.0945, 0.9055),
])
def test_wilson_interval_matches_worked_examples(k: int, n: int, low: float, high: float) -> None:
    p = proportion_ci(k, n)
    assert (round(p.low, 4), round(p.high, 4)) == (low, high)


@pytest.mark.parametrize(("k", "n"), [(1, 0), (-1, 5), (6, 5)])
def test_proportion_refuses_impossible_counts(k: int, n: int) -> None:
    with pytest.raises(ClinicalError):
        proportion_ci(k, n)


def test_summary_of_a_large_enough_sample_is_comparable() -> None:
    s = summarize(20, 30, DEFS)
    assert s.comparable
    assert s.text == "20 of 30 responded (67%, 95% CI 49% to 81%)."
    assert s.definitions == DEFS.describe()


@pytest.mark.parametrize(("n", "comparable"), [(9, False), (10, True)])
def test_summary_says_too_small_below_the_policy_minimum(n: int, comparable: bool) -> None:
    s = summarize(5, n, DEFS)
    assert s.comparable is comparable
    assert ("too small to compare (n < 10)" in s.text) is not comparable


def test_summary_of_no_courses_is_too_small() -> None:
    s = summarize(0, 0, DEFS)
    assert (s.proportion, s.comparable) == (None, False)
    assert "too small to compare" in s.text


@given(n=st.integers(1, 5000), data=st.data())
def test_wilson_interval_contains_the_estimate_within_0_1(n: int, data: st.DataObject) -> None:
    k = data.draw(st.integers(0, n))
    p = proportion_ci(k, n)
    assert 0.0 <= p.low <= p.estimate <= p.high <= 1.0


@given(baseline=st.integers(0, 80), totals=st.lists(st.integers(0, 80), min_size=1, max_size=10))
def test_course_flags_agree_with_the_points(baseline: int, totals: list[int]) -> None:
    base = ScorePoint(T0, baseline, 0)
    series = [point(i + 1, t, i + 1) for i, t in enumerate(totals)]
    course = classify_course([base, *series], base, INFUSIONS, DEFS, PCL5)
    responses = [p.response for p in course.points]
    assert course.responder == any(responses)
    assert course.review_prompt == (not any(responses)
                                    and any(p.infusions_before >= 3 for p in course.points))
    if course.loss_of_response_at is not None:
        assert course.first_response_at is not None
        assert course.first_response_at < course.loss_of_response_at
    for p in course.points:
        assert p.remission == ((p.total < 33) if baseline >= 33 else None)
        assert p.response == (baseline - p.total >= 10 or (baseline > 0 and
                                                          (baseline - p.total) * 10 >= 3 * baseline))


def test_a_baseline_below_the_cutpoint_makes_remission_not_applicable() -> None:
    # CLINICAL.md s4: remission is counted only among courses whose baseline was at or above it.
    assert one(10, baseline=30).remission is None
    assert one(10, baseline=33).remission is True
