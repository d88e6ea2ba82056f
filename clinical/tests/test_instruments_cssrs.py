"""C-SSRS screener: skip logic and risk levels (CLINICAL.md s4, C-SSRS row;
C-SSRS screen version triage guide). Answers: 1 = yes, 0 = no, None = not asked,
in order Q1, Q2, Q3, Q4, Q5, Q6, Q6-within-3-months.
"""

from typing import Any, cast

import pytest

from clinical.errors import ClinicalError
from clinical.instruments import Flag, RiskLevel, score

N = None

RISK_EXAMPLES = [
    ("all no", [0, 0, N, N, N, 0, N], RiskLevel.NONE),
    ("Q1 yes only", [1, 0, N, N, N, 0, N], RiskLevel.LOW),
    ("Q2 yes, 3-5 no", [0, 1, 0, 0, 0, 0, N], RiskLevel.LOW),
    ("Q1 and Q2 yes only", [1, 1, 0, 0, 0, 0, N], RiskLevel.LOW),
    ("Q3 yes", [1, 1, 1, 0, 0, 0, N], RiskLevel.MODERATE),
    ("Q6 yes, longer ago than 3 months", [0, 0, N, N, N, 1, 0], RiskLevel.MODERATE),
    ("Q3 yes and Q6 long ago", [1, 1, 1, 0, 0, 1, 0], RiskLevel.MODERATE),
    ("Q4 yes", [1, 1, 0, 1, 0, 0, N], RiskLevel.HIGH),
    ("Q5 yes", [1, 1, 0, 0, 1, 0, N], RiskLevel.HIGH),
    ("Q6 within 3 months", [0, 0, N, N, N, 1, 1], RiskLevel.HIGH),
    ("Q1 yes and Q6 within 3 months", [1, 0, N, N, N, 1, 1], RiskLevel.HIGH),
    ("everything yes", [1, 1, 1, 1, 1, 1, 1], RiskLevel.HIGH),
]


@pytest.mark.parametrize(("case", "values", "level"), RISK_EXAMPLES, ids=[c[0] for c in RISK_EXAMPLES])
def test_cssrs_risk_level_follows_clinical_md(case: str, values: list[int | None], level: RiskLevel) -> None:
    result = score("cssrs", values)
    assert result.complete is True
    assert result.risk_level is level
    assert result.as_dict()["risk_level"] == level.name.lower()


@pytest.mark.parametrize(("case", "values", "level"), RISK_EXAMPLES, ids=[c[0] for c in RISK_EXAMPLES])
def test_cssrs_flags_suicide_risk_at_moderate_or_high_only(
    case: str, values: list[int | None], level: RiskLevel
) -> None:
    flagged = level in (RiskLevel.MODERATE, RiskLevel.HIGH)
    assert (Flag.SUICIDE_RISK in score("cssrs", values).flags) is flagged


def test_cssrs_json_shape_has_no_total_and_a_risk_level() -> None:
    assert score("cssrs", [1, 1, 0, 1, 0, 0, N]).as_dict() == {
        "instrument": "cssrs",
        "complete": True,
        "total": None,
        "total_mean": None,
        "subscales": {},
        "band": None,
        "flags": ["suicide_risk"],
        "risk_level": "high",
    }


FORBIDDEN = [
    ("Q3 answered when Q2 is no", [0, 0, 0, N, N, 0, N], r"answer 3 \(cssrs-3"),
    ("Q4 answered yes when Q2 is no", [1, 0, N, 1, N, 0, N], r"answer 4 \(cssrs-4"),
    ("Q5 answered when Q2 is blank", [1, N, N, N, 0, 0, N], r"answer 5 \(cssrs-5"),
    ("recency answered when Q6 is no", [0, 0, N, N, N, 0, 1], r"answer 7 \(cssrs-6-recent"),
    ("recency answered when Q6 is blank", [0, 0, N, N, N, N, 0], r"answer 7 \(cssrs-6-recent"),
]


@pytest.mark.parametrize(("case", "values", "where"), FORBIDDEN, ids=[c[0] for c in FORBIDDEN])
def test_cssrs_refuses_an_answer_the_skip_logic_does_not_ask(
    case: str, values: list[int | None], where: str
) -> None:
    with pytest.raises(ClinicalError, match=where + r".*must be blank: it is asked only when"):
        score("cssrs", values)


def test_cssrs_skip_message_names_the_condition_in_words() -> None:
    with pytest.raises(ClinicalError, match="asked only when cssrs-2 is yes"):
        score("cssrs", [0, 0, 0, N, N, 0, N])


INCOMPLETE = [
    # (values, risk_level, flagged): level only when no answer to the blanks could change it
    ("Q6 yes, recency blank", [0, 0, N, N, N, 1, N], None, True),
    ("Q2 blank", [0, N, N, N, N, 0, N], None, False),
    ("Q6 blank after Q4 yes", [1, 1, 0, 1, 0, N, N], RiskLevel.HIGH, True),
    ("Q3 yes, Q4 blank", [1, 1, 1, N, 0, 0, N], None, True),
    ("Q1 yes, Q6 blank", [1, 0, N, N, N, N, N], None, False),
    ("nothing answered", [N] * 7, None, False),
]


@pytest.mark.parametrize(("case", "values", "level", "flagged"), INCOMPLETE, ids=[c[0] for c in INCOMPLETE])
def test_cssrs_incomplete_gives_only_sure_levels_and_never_hides_a_proven_risk(
    case: str, values: list[int | None], level: RiskLevel | None, flagged: bool
) -> None:
    result = score("cssrs", values)
    assert result.complete is False
    assert result.risk_level is level
    assert (Flag.SUICIDE_RISK in result.flags) is flagged


def test_cssrs_skipped_items_do_not_make_it_incomplete() -> None:
    result = score("cssrs", [0, 0, N, N, N, 0, N])
    assert (result.complete, result.missing) == (True, ())


def test_cssrs_lists_the_asked_but_blank_items_as_missing() -> None:
    result = score("cssrs", [0, 1, N, 0, N, 1, N])
    assert result.missing == ("cssrs-3", "cssrs-5", "cssrs-6-recent")


@pytest.mark.parametrize("count", [6, 8])
def test_cssrs_needs_exactly_seven_positions(count: int) -> None:
    with pytest.raises(ClinicalError, match=f"expected 7 answers, got {count}"):
        score("cssrs", [0] * count)


@pytest.mark.parametrize("value", [2, -1])
def test_cssrs_refuses_answers_other_than_0_or_1(value: int) -> None:
    with pytest.raises(ClinicalError, match="must be between 0 and 1"):
        score("cssrs", [value, 0, N, N, N, 0, N])


def test_cssrs_refuses_true_and_false_for_yes_and_no() -> None:
    with pytest.raises(ClinicalError, match="whole number"):
        score("cssrs", cast(Any, [True, False, N, N, N, False, N]))
