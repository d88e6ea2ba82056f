"""Refusals: wrong counts, out-of-range and non-integer answers, unknown ids.

Rule source: CLINICAL.md s4 ("Responses outside the range are refused, never
clamped") and the common kernel rule that invalid input raises ClinicalError.
"""

from decimal import Decimal
from typing import Any

import pytest

from clinical.errors import ClinicalError
from clinical.instruments import INSTRUMENTS, score

# (instrument, accepted counts, highest answer of the first item)
SHAPES = [
    ("pcl5", (20,), 4),
    ("phq9", (9, 10), 3),
    ("gad7", (7,), 3),
    ("iesr", (22,), 4),
    ("cssrs", (7,), 1),
    ("madrs", (10,), 6),
    ("caps5", (22,), 4),
    ("cadss", (23,), 4),
]
IDS = [s[0] for s in SHAPES]


def valid(instrument_id: str, count: int) -> list[int | None]:
    if instrument_id == "cssrs":
        return [0, 0, None, None, None, 0, None]
    return [0] * count


def test_registry_holds_exactly_the_eight_instruments() -> None:
    assert list(INSTRUMENTS) == IDS


@pytest.mark.parametrize(("instrument_id", "counts", "top"), SHAPES, ids=IDS)
def test_wrong_count_is_refused(instrument_id: str, counts: tuple[int, ...], top: int) -> None:
    for bad in (min(counts) - 1, max(counts) + 1, 0):
        with pytest.raises(ClinicalError, match=f"expected .*answers, got {bad}"):
            score(instrument_id, [0] * bad)


@pytest.mark.parametrize(("instrument_id", "counts", "top"), SHAPES, ids=IDS)
def test_answer_above_the_top_of_the_scale_is_refused(
    instrument_id: str, counts: tuple[int, ...], top: int
) -> None:
    values = valid(instrument_id, counts[0])
    values[0] = top + 1
    with pytest.raises(ClinicalError, match=rf"answer 1 .*between 0 and {top}, got {top + 1}"):
        score(instrument_id, values)


@pytest.mark.parametrize(("instrument_id", "counts", "top"), SHAPES, ids=IDS)
def test_negative_answer_is_refused_not_clamped(
    instrument_id: str, counts: tuple[int, ...], top: int
) -> None:
    values = valid(instrument_id, counts[0])
    values[-1 if instrument_id != "cssrs" else 5] = -1
    with pytest.raises(ClinicalError, match="got -1"):
        score(instrument_id, values)


@pytest.mark.parametrize(("instrument_id", "counts", "top"), SHAPES, ids=IDS)
def test_top_of_the_scale_is_accepted(instrument_id: str, counts: tuple[int, ...], top: int) -> None:
    values = valid(instrument_id, counts[0])
    values[0] = top
    assert score(instrument_id, values).answers[0] == top


@pytest.mark.parametrize("bad", [1.0, "1", True, Decimal(1), 1.5, [1]])
def test_non_integer_answer_is_refused(bad: object) -> None:
    values: list[Any] = [0] * 9
    values[4] = bad
    with pytest.raises(ClinicalError, match=r"PHQ-9\).*answer 5 \(phq9-5.*whole number"):
        score("phq9", values)


@pytest.mark.parametrize("bad", ["000000000", b"000000000", 5, None, {"a": 1}])
def test_answers_must_be_a_list(bad: Any) -> None:
    with pytest.raises(ClinicalError, match="answers must be a list"):
        score("phq9", bad)


def test_a_tuple_of_answers_is_accepted() -> None:
    assert score("gad7", (1, 1, 1, 1, 1, 0, 0)).total == 5


@pytest.mark.parametrize("bad", ["PCL5", "pcl-5", "", "hamd"])
def test_unknown_instrument_is_refused_with_the_known_ids(bad: str) -> None:
    with pytest.raises(ClinicalError, match="known instruments: pcl5, phq9, gad7"):
        score(bad, [0] * 20)


def test_refusal_message_names_item_label_and_value() -> None:
    with pytest.raises(ClinicalError) as caught:
        score("pcl5", [0, 0, 5] + [0] * 17)
    assert str(caught.value) == (
        "PTSD Checklist for DSM-5 (PCL-5): answer 3 (pcl5-3, Flashbacks) must be between 0 and 4, got 5."
    )


def test_clinical_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        score("madrs", [7] + [0] * 9)
