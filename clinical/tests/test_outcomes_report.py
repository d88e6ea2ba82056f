"""The outcome report's definitions (issue 11, CLINICAL.md s4): worked examples and properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clinical.errors import ClinicalError
from clinical.outcomes_report import ReportDefinitions, build_report
from clinical.outcomes_rules import (
    AssessmentRow,
    CourseRow,
    InfusionRow,
    course_facts,
    pcl5_rule,
    responds,
)
from clinical.outcomes_stats import TimeCount, kaplan_meier, mean_ci_of, proportion

RULE = pcl5_rule()
DEFS = ReportDefinitions()


def course(name: str, status: str = "completed", last_day: int = 11, clinic: str = "K1") -> CourseRow:
    return CourseRow(name, clinic, status, 6, last_day)


def series(name: str, *points: tuple[str, int, int], instrument: str = "pcl5", clinic: str = "K1"
           ) -> list[AssessmentRow]:
    """(point, day, total) in time order."""
    return [AssessmentRow(name, clinic, instrument, p, day, total, i) for i, (p, day, total) in enumerate(points)]


# --- response -----------------------------------------------------------------

@pytest.mark.parametrize(("baseline", "value", "rule", "expected"), [
    (50, 35, RULE, True),  # exactly 30%
    (50, 36, RULE, False),  # 28%, 14 points... but points criterion: drop 14 >= 10
    (60, 50, RULE, True),  # 10 points, 16.7%
    (60, 51, pcl5_rule(points_drop=None), False),
    (60, 42, pcl5_rule(points_drop=None), True),  # 30% alone (Feder 2021)
    (0, 0, RULE, False),
])
def test_response_is_a_percent_reduction_or_a_points_drop(baseline, value, rule, expected):
    if (baseline, value) == (50, 36):
        expected = True  # the 14-point drop meets the points criterion
    assert responds(baseline, value, rule) is expected


def test_a_response_at_24_hours_lost_by_week_2_is_not_a_responder():
    # Issue 11: baseline 50, 30 at 24 h, 45 at week 2 (end of course).
    rows = series("A", ("baseline", -3, 50), ("post_first_24h", 1, 30), ("end_of_course", 12, 45))
    facts = course_facts(course("A"), rows, RULE)
    assert not facts.responder and facts.in_itt and facts.in_completers


def test_baseline_is_the_last_at_baseline_and_end_of_course_the_first_at_that_point():
    rows = series("A", ("baseline", -7, 70), ("baseline", -2, 50), ("end_of_course", 12, 34),
                  ("end_of_course", 13, 60))
    facts = course_facts(course("A"), rows, RULE)
    assert facts.baseline.total == 50 and facts.end_of_course.total == 34 and facts.responder


def test_active_courses_are_not_in_itt_and_missing_end_of_course_is_a_non_response():
    courses = [course("A", "active"), course("B", "stopped"), course("C")]
    rows = (series("A", ("baseline", -3, 50), ("end_of_course", 12, 20))
            + series("B", ("baseline", -3, 50))
            + series("C", ("baseline", -3, 50), ("end_of_course", 12, 20)))
    report = build_report(courses, rows, [], DEFS)
    assert report["response_end_of_course"]["itt"] | {"ci95": None} == {
        "k": 1, "n": 2, "rate": 0.5, "ci95": None, "too_few": True}
    assert report["response_end_of_course"]["completers"]["k"] == report["response_end_of_course"]["completers"]["n"] == 1
    assert report["courses"] == {"started": 3, "active": 1, "completed": 1, "stopped": 1}


def test_a_patient_who_starts_below_the_cut_point_is_not_counted_for_remission():
    courses = [course("A"), course("B")]
    rows = series("A", ("baseline", -3, 30), ("end_of_course", 12, 10)) + \
        series("B", ("baseline", -3, 50), ("end_of_course", 12, 40))
    remission = build_report(courses, rows, [], DEFS)["remission_end_of_course"]
    assert (remission["itt"]["k"], remission["itt"]["n"]) == (0, 1)


def test_durability_is_timed_from_the_last_infusion_and_censored_at_the_last_assessment():
    lost = series("A", ("baseline", -3, 60), ("end_of_course", 12, 30), ("follow_1w", 18, 35),
                  ("follow_1m", 41, 55))
    kept = series("B", ("baseline", -3, 60), ("end_of_course", 12, 30), ("follow_1w", 18, 31))
    assert course_facts(course("A", last_day=11), lost, RULE).durability == (30, True)
    assert course_facts(course("B", last_day=11), kept, RULE).durability == (7, False)


def test_time_to_first_response_counts_from_day_0_and_censors_at_the_last_assessment():
    hit = series("A", ("baseline", -3, 60), ("pre_infusion", 0, 20), ("post_first_24h", 1, 55),
                 ("end_of_course", 12, 40))
    miss = series("B", ("baseline", -3, 60), ("end_of_course", 12, 55), ("follow_1w", 18, 58))
    assert course_facts(course("A"), hit, RULE).first_response == (12, True)
    assert course_facts(course("B"), miss, RULE).first_response == (18, False)


def test_kaplan_meier_median_counts_censored_courses():
    # Issue 11: losses on days 10, 20, 60, censored at 15, 30, 40: the median is 60, not 20.
    times = [TimeCount(d, True) for d in (10, 20, 60)] + [TimeCount(d, False) for d in (15, 30, 40)]
    km = kaplan_meier(times)
    assert (km["n"], km["events"], km["median_days"]) == (6, 3, 60)
    assert km["survival_at"]["28"] == pytest.approx(5 / 6 * 3 / 4)


def test_weighted_times_give_the_same_estimate_as_repeated_rows():
    one_by_one = [TimeCount(10, True)] * 3 + [TimeCount(20, False)] * 2 + [TimeCount(30, True)]
    counted = [TimeCount(10, True, 3), TimeCount(20, False, 2), TimeCount(30, True, 1)]
    assert kaplan_meier(one_by_one) == kaplan_meier(counted)


def test_wilson_interval_of_a_known_proportion():
    p = proportion(8, 12, 10)
    assert p["rate"] == pytest.approx(0.666667) and p["ci95"] == pytest.approx([0.390622, 0.861880], abs=2e-5)  # by hand: 0.6263 -+ 0.2356
    assert proportion(3, 5, 10)["too_few"] and not p["too_few"]


def test_mean_change_has_a_t_interval():
    m = mean_ci_of([-10.0, -20.0, -30.0])
    assert m["mean"] == -20 and m["ci95"] == pytest.approx([-44.841377, 4.841377], abs=1e-5)


def test_safety_is_per_100_infusions_started():
    infusions = [InfusionRow("A", "K1", n, n * 2, peak_sbp=150 + 20 * (n == 1), peak_dbp=90,
                             ae_count=int(n == 2), ae_serious=0, paused=int(n == 3), peak_cadss=n)
                 for n in range(1, 5)]
    safety = build_report([course("A")], [], infusions, DEFS)["safety"]
    rises = {k: safety.pop(k) for k in ("sbp_rise", "dbp_rise", "surges_in_first_three")}
    assert rises["sbp_rise"]["n"] == 0  # no baseline readings here
    assert safety == {"infusions": 4, "bp_surge_per_100": 0.0, "ae_per_100": 25.0, "serious_ae_per_100": 0.0,
                      "stopped_early_per_100": 0.0, "transferred_per_100": 0.0, "paused_per_100": 25.0,
                      "mean_peak_cadss": 2.5}
    surge = [InfusionRow("A", "K1", 1, 0, 140, 80, peak_sbp=180, peak_dbp=80),
             InfusionRow("A", "K1", 4, 7, 130, 90, peak_sbp=150, peak_dbp=110)]
    safety = build_report([course("A")], [], surge, DEFS)["safety"]
    assert safety["bp_surge_per_100"] == 100.0
    assert (safety["sbp_rise"]["mean"], safety["dbp_rise"]["mean"]) == (30.0, 10.0)
    assert (safety["surges_in_first_three"]["k"], safety["surges_in_first_three"]["n"]) == (1, 2)


def test_followup_completeness_is_among_completed_courses():
    courses = [course("A"), course("B"), course("C", "stopped")]
    rows = series("A", ("baseline", -3, 50), ("follow_1w", 18, 30)) + series("C", ("follow_1w", 18, 30))
    follow = build_report(courses, rows, [], DEFS)["followup_completeness"]
    assert (follow["follow_1w"]["k"], follow["follow_1w"]["n"], follow["follow_3m"]["k"]) == (1, 2, 0)


def test_secondary_instruments_use_their_own_rules():
    rows = series("A", ("baseline", -3, 20), ("end_of_course", 12, 11), instrument="phq9")
    phq9 = build_report([course("A")], rows, [], DEFS)["secondary"]["phq9"]
    assert phq9["response_end_of_course"]["itt"]["k"] == 0  # 45% < PHQ-9's 50%
    rows = series("A", ("baseline", -3, 20), ("end_of_course", 12, 4), instrument="phq9")
    phq9 = build_report([course("A")], rows, [], DEFS)["secondary"]["phq9"]
    assert phq9["remission_end_of_course"]["itt"]["k"] == 1


def test_bad_definitions_are_refused_not_clamped():
    with pytest.raises(ClinicalError):
        ReportDefinitions(response_pct=0)
    with pytest.raises(ClinicalError):
        ReportDefinitions(remission_cutpoint=40)
    with pytest.raises(ClinicalError):
        CourseRow("A", "K1", "finished")


# --- properties -----------------------------------------------------------------

totals = st.integers(min_value=0, max_value=80)


@st.composite
def datasets(draw, clinic: str = "K1"):
    courses, rows = [], []
    for i in range(draw(st.integers(min_value=0, max_value=12))):
        name = f"C-{i}"  # the same pseudonyms in two clinics stay two courses
        status = draw(st.sampled_from(["active", "completed", "stopped"]))
        courses.append(CourseRow(name, clinic, status, 6, 11))
        points = [("baseline", -3)] if draw(st.booleans()) else []
        points += [("post_first_24h", 1)] if draw(st.booleans()) else []
        points += [("end_of_course", 12)] if draw(st.booleans()) else []
        points += [(p, d) for p, d in (("follow_1w", 18), ("follow_1m", 41), ("follow_3m", 101))
                   if draw(st.booleans())]
        rows += [AssessmentRow(name, clinic, "pcl5", p, d, draw(totals), k) for k, (p, d) in enumerate(points)]
    return courses, rows


@settings(max_examples=60, deadline=None)
@given(datasets())
def test_itt_rate_is_at_most_the_completers_rate_when_non_completers_fail(data):
    courses, rows = data
    # Non-completers fail: drop the end-of-course value of every course that is not completed.
    rows = [a for a in rows if not (a.point == "end_of_course" and
                                    next(c for c in courses if c.course == a.course).status != "completed")]
    response = build_report(courses, rows, [], DEFS)["response_end_of_course"]
    itt, done = response["itt"], response["completers"]
    if itt["n"] and done["n"]:
        assert itt["rate"] <= done["rate"]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=200), min_size=1, max_size=30))
def test_kaplan_meier_with_no_events_has_no_median(days):
    km = kaplan_meier([TimeCount(d, False) for d in days])
    assert km["events"] == 0 and km["median_days"] is None


@settings(max_examples=40, deadline=None)
@given(datasets("K1"), datasets("K2"))
def test_pooled_report_is_the_report_of_the_concatenated_rows(one, two):
    from clinical.outcomes_report import pool

    pooled = pool([one + ([],), two + ([],)])
    report = build_report(*pooled, DEFS)
    assert report == build_report(one[0] + two[0], one[1] + two[1], [], DEFS)
    alone = [build_report(*d, [], DEFS) for d in (one, two)]
    assert report["courses"]["started"] == sum(r["courses"]["started"] for r in alone)
    assert report["response_end_of_course"]["itt"]["k"] == sum(r["response_end_of_course"]["itt"]["k"] for r in alone)
