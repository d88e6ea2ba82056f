"""The chair's connecting rules (issue 10): the alert gate, reviews, early stops, the dose given, CADSS, futility."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinical.chair_rules import (
    AlertFact,
    ReviewDecision,
    chair_blockers,
    check_cadss_completion,
    check_review,
    check_stop_complete,
    dose_given_mg,
    futility_instruments,
    infused_minutes,
    needs_prescriber_review,
)
from clinical.errors import ClinicalError

T = datetime(2026, 5, 4, 14, 0, tzinfo=UTC)


def m(minutes: float) -> datetime:
    return T + timedelta(minutes=minutes)


# The alert gate: (kind, level, open) -> blocks. Source: issue 10, ADR 0016.
GATE = [
    ("suicide_risk", "critical", True, True),  # PHQ-9 item 9 = 2
    ("suicide_risk", "critical", False, False),  # reviewed: proceed
    ("adverse_event", "critical", True, True),  # a serious adverse event
    ("vital", "stop", True, True),
    ("vital", "pause", True, True),
    ("vital", "do_not_start", True, False),  # handled by the start's own reading check
    ("vital", "warn", True, False),
    ("overdue", "warn", True, False),
    ("vital", "pause", False, False),
]


@pytest.mark.parametrize(("kind", "level", "is_open", "blocks"), GATE)
def test_the_alert_gate_worked_examples(kind: str, level: str, is_open: bool, blocks: bool) -> None:
    assert bool(chair_blockers([AlertFact(1, kind, level, is_open)])) is blocks


def test_suicide_risk_comes_first_among_blockers() -> None:
    found = chair_blockers([AlertFact(1, "vital", "pause", True), AlertFact(2, "vital", "warn", True),
                            AlertFact(3, "suicide_risk", "critical", True)])
    assert [a.id for a in found] == [3, 1]


@given(st.lists(st.tuples(st.sampled_from(["vital", "overdue", "suicide_risk", "adverse_event"]),
                          st.sampled_from(["warn", "do_not_start", "pause", "stop", "critical"]), st.booleans())))
def test_a_closed_alert_never_blocks_and_an_open_suicide_risk_always_does(rows: list[tuple[str, str, bool]]) -> None:
    facts = [AlertFact(i, kind, level, is_open) for i, (kind, level, is_open) in enumerate(rows)]
    ids = {a.id for a in chair_blockers(facts)}
    assert all(f.is_open for f in facts if f.id in ids)
    assert all(f.id in ids for f in facts if f.is_open and f.kind == "suicide_risk")


@pytest.mark.parametrize(("kind", "level", "needs"), [
    ("suicide_risk", "critical", True), ("adverse_event", "critical", True), ("vital", "stop", False),
    ("vital", "warn", False), ("ledger_discrepancy", "warn", False)])
def test_only_suicide_risk_and_critical_alerts_need_a_prescribers_review(kind: str, level: str, needs: bool) -> None:
    assert needs_prescriber_review(kind, level) is needs


def test_a_review_needs_a_known_decision_and_a_real_reason() -> None:
    assert check_review("hold", "  Needs a psychiatric assessment first.  ") == (
        ReviewDecision.HOLD, "Needs a psychiatric assessment first.")
    with pytest.raises(ClinicalError, match="Choose the decision"):
        check_review("later", "Needs a psychiatric assessment first.")
    with pytest.raises(ClinicalError, match="at least 15 characters"):
        check_review("proceed", "fine")


# Infusing time and the dose given. Source: issue 10 (rate x infusing time, pauses excluded).
@pytest.mark.parametrize(("start", "end", "pauses", "minutes"), [
    (0, 40, [], D("40.0")),
    (0, 40, [(10, 15)], D("35.0")),  # a 5-min pause
    (0, 45, [(10, 15), (30, 30.5)], D("39.5")),
    (0, 25, [(20, None)], D("20.0")),  # stopped while paused
    (0, 12.75, [], D("12.8")),  # halves up to 0.1 min
])
def test_infused_minutes_worked_examples(start: float, end: float, pauses: list, minutes: D) -> None:
    spans = [(m(b), None if r is None else m(r)) for b, r in pauses]
    assert infused_minutes(m(start), m(end), spans) == minutes


def test_infused_minutes_count_real_minutes_across_the_spring_change() -> None:
    ny = ZoneInfo("America/New_York")
    started = datetime(2026, 3, 8, 1, 40, tzinfo=ny)  # EST
    ended = datetime(2026, 3, 8, 3, 20, tzinfo=ny)  # EDT: 40 real minutes later, 100 on the wall clock
    assert infused_minutes(started, ended, []) == D("40.0")


def test_infused_minutes_refuse_an_end_before_the_start() -> None:
    with pytest.raises(ClinicalError, match="before it started"):
        infused_minutes(m(10), m(0), [])


@pytest.mark.parametrize(("planned", "minutes", "ran", "given"), [
    (D("35.0"), D("40"), D("40.0"), D("35.0")),
    (D("35.0"), D("40"), D("20.0"), D("17.5")),  # half the time, half the dose
    (D("35.0"), D("40"), D("25.0"), D("21.9")),  # 21.875 halves up
    (D("35.0"), D("40"), D("45.0"), D("35.0")),  # never more than planned
    (D("35.0"), D("40"), D("0"), D("0.0")),
])
def test_dose_given_worked_examples(planned: D, minutes: D, ran: D, given: D) -> None:
    assert dose_given_mg(planned, minutes, ran) == given


@given(st.decimals(min_value=D("0"), max_value=D("200"), places=1),
       st.decimals(min_value=D("1"), max_value=D("120"), places=0),
       st.decimals(min_value=D("0"), max_value=D("240"), places=1))
def test_the_dose_given_never_exceeds_the_planned_dose(planned: D, minutes: D, ran: D) -> None:
    assert D("0") <= dose_given_mg(planned, minutes, ran) <= planned


def test_stopping_as_complete_before_the_planned_time_needs_a_reason() -> None:
    with pytest.raises(ClinicalError, match=r"Stopping after 25.0 of 40 min .* at least 15 characters"):
        check_stop_complete(planned_mg=D("35.0"), planned_min=D("40"), infused_min=D("25.0"), reason="")
    found = check_stop_complete(planned_mg=D("35.0"), planned_min=D("40"), infused_min=D("25.0"),
                                reason="Patient asked to stop; nausea.")
    assert found.early and found.given_mg == D("21.9")
    on_time = check_stop_complete(planned_mg=D("35.0"), planned_min=D("40"), infused_min=D("40.0"), reason=None)
    assert not on_time.early and on_time.given_mg == D("35.0")


def test_the_tolerance_lets_a_stop_a_few_seconds_short_pass() -> None:
    found = check_stop_complete(planned_mg=D("35.0"), planned_min=D("40"), infused_min=D("39.5"), reason=None,
                                tolerance_min=D("1"))
    assert not found.early
    with pytest.raises(ClinicalError):
        check_stop_complete(planned_mg=D("35.0"), planned_min=D("40"), infused_min=D("38.9"), reason=None,
                            tolerance_min=D("1"))


# CADSS: 23 items, or incomplete with a reason (CLINICAL.md section 3).
def test_a_complete_cadss_needs_no_reason() -> None:
    assert check_cadss_completion([0] * 23, 23, None) == ""


def test_an_incomplete_cadss_needs_a_reason() -> None:
    answers: list[int | None] = [1] * 20 + [None] * 3
    with pytest.raises(ClinicalError, match=r"3 of 23 items unanswered.*at least 15 characters"):
        check_cadss_completion(answers, 23, "")
    assert check_cadss_completion(answers, 23, "Patient too drowsy to answer the last items.") == (
        "Patient too drowsy to answer the last items.")


@pytest.mark.parametrize(("answers", "match"), [([None] * 23, "Answer the CADSS items"), ([0] * 22, "23 items; 22")])
def test_a_cadss_with_no_answers_or_the_wrong_length_is_refused(answers: list, match: str) -> None:
    with pytest.raises(ClinicalError, match=match):
        check_cadss_completion(answers, 23, "A reason long enough to pass.")


# Futility follows the outcome instruments (CLINICAL.md section 2 and 4).
def test_futility_follows_pcl5_and_the_chosen_secondary() -> None:
    assert futility_instruments("phq9") == ("pcl5", "phq9")
    assert futility_instruments("madrs") == ("pcl5", "madrs")
    for wrong in ("cadss", "gad7", ""):
        with pytest.raises(ClinicalError, match="CADSS measures dissociation"):
            futility_instruments(wrong)
