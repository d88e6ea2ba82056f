"""parse_items: the `ketacare score` comma list ("1,2,,3": empty = missing)."""

import pytest

from clinical.errors import ClinicalError
from clinical.instruments import parse_items, score

PARSED = [
    ("1,2,,3", [1, 2, None, 3]),
    ("0", [0]),
    (" 1 , 2 ,3 ", [1, 2, 3]),
    ("1,", [1, None]),
    (",1", [None, 1]),
    (",,", [None, None, None]),
    ("-1,7", [-1, 7]),
    ("04", [4]),
]


@pytest.mark.parametrize(("text", "expected"), PARSED)
def test_parse_items_reads_integers_and_blanks(text: str, expected: list[int | None]) -> None:
    assert parse_items(text) == expected


@pytest.mark.parametrize("text", ["1,a", "1.5", "1e3", "+-1", "1 2", "٣", "0x1", "1_0", "yes"])
def test_parse_items_refuses_what_is_not_a_whole_number(text: str) -> None:
    with pytest.raises(ClinicalError, match="must be a whole number or empty"):
        parse_items(text)


def test_parse_items_names_the_bad_position() -> None:
    with pytest.raises(ClinicalError, match=r"Answer 3 must be a whole number or empty, got 'x'"):
        parse_items("1,2,x")


@pytest.mark.parametrize("text", ["", "   "])
def test_parse_items_refuses_an_empty_list(text: str) -> None:
    with pytest.raises(ClinicalError, match="No answers given"):
        parse_items(text)


def test_parsed_cli_input_scores_like_the_issue_example() -> None:
    result = score("pcl5", parse_items("1,1,1,1,1,1,1,2,1,1,1,1,1,1,0,1,1,1,1,1"))
    assert (result.total, result.total_mean) == (20, 1.0)


def test_parsed_cssrs_with_skipped_items() -> None:
    result = score("cssrs", parse_items("1,0,,,,1,0"))
    assert result.as_dict()["risk_level"] == "moderate"


def test_parsed_out_of_range_value_is_refused_by_score() -> None:
    with pytest.raises(ClinicalError, match="got -1"):
        score("gad7", parse_items("-1,0,0,0,0,0,0"))
