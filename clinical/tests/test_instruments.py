"""Worked examples for the summed instruments: PCL-5, PHQ-9, GAD-7, MADRS, CADSS.

Rule source for every example: CLINICAL.md section 4 (instrument table) and the
instrument's scoring manual named in its definition's `source`.
"""

import json
from typing import Any, cast

import pytest

from clinical.errors import ClinicalError
from clinical.instruments import INSTRUMENTS, Flag, score

# The JSON example from the project's issue (printed by `ketacare score`).
ISSUE_EXAMPLE = (
    '{"instrument": "pcl5", "complete": true, "total": 20, "total_mean": 1.0, '
    '"subscales": {"B": 5, "C": 2, "D": 8, "E": 5}, "band": null, "flags": [], '
    '"provisional_diagnosis": {"dsm_rule": false, "cutpoint": false}}'
)


def with_total(instrument_id: str, total: int) -> list[int | None]:
    """Return answers with this total, filling scored items in order to their maximum."""
    values: list[int | None] = []
    for item in INSTRUMENTS[instrument_id].items:
        take = min(item.max_value, total) if item.scored else 0
        values.append(take)
        total -= take
    assert total == 0, "total out of reach"
    return values


def pcl5(b: list[int], c: list[int], d: list[int], e: list[int]) -> list[int | None]:
    """Return PCL-5 answers from its four clusters (B 1-5, C 6-7, D 8-14, E 15-20)."""
    assert (len(b), len(c), len(d), len(e)) == (5, 2, 7, 6)
    return [*b, *c, *d, *e]


def test_as_dict_matches_the_issue_json_example_exactly() -> None:
    values = pcl5([1] * 5, [1, 1], [2, 1, 1, 1, 1, 1, 1], [0, 1, 1, 1, 1, 1])
    assert json.dumps(score("pcl5", values).as_dict()) == ISSUE_EXAMPLE


# --- bands (CLINICAL.md s4) ---------------------------------------------------

BAND_EXAMPLES = [
    # PHQ-9: 0-4 minimal, 5-9 mild, 10-14 moderate, 15-19 moderately severe, 20-27 severe
    ("phq9", 0, "minimal"),
    ("phq9", 4, "minimal"),
    ("phq9", 5, "mild"),
    ("phq9", 9, "mild"),
    ("phq9", 10, "moderate"),
    ("phq9", 14, "moderate"),
    ("phq9", 15, "moderately severe"),
    ("phq9", 19, "moderately severe"),
    ("phq9", 20, "severe"),
    ("phq9", 27, "severe"),
    # GAD-7: 0-4 minimal, 5-9 mild, 10-14 moderate, 15-21 severe
    ("gad7", 0, "minimal"),
    ("gad7", 4, "minimal"),
    ("gad7", 5, "mild"),
    ("gad7", 9, "mild"),
    ("gad7", 10, "moderate"),
    ("gad7", 14, "moderate"),
    ("gad7", 15, "severe"),
    ("gad7", 21, "severe"),
    # MADRS: 0-6 normal, 7-19 mild, 20-34 moderate, 35-60 severe
    ("madrs", 0, "normal"),
    ("madrs", 6, "normal"),
    ("madrs", 7, "mild"),
    ("madrs", 19, "mild"),
    ("madrs", 20, "moderate"),
    ("madrs", 34, "moderate"),
    ("madrs", 35, "severe"),
    ("madrs", 60, "severe"),
]


@pytest.mark.parametrize(("instrument_id", "total", "band"), BAND_EXAMPLES)
def test_band_edges_follow_clinical_md(instrument_id: str, total: int, band: str) -> None:
    result = score(instrument_id, with_total(instrument_id, total))
    assert (result.total, result.band, result.complete) == (total, band, True)


@pytest.mark.parametrize("instrument_id", ["pcl5", "iesr", "caps5", "cadss", "cssrs"])
def test_instruments_without_bands_report_band_null(instrument_id: str) -> None:
    n = len(INSTRUMENTS[instrument_id].items)
    values: list[int | None] = [0] * n
    if instrument_id == "cssrs":
        values = [0, 0, None, None, None, 0, None]
    assert score(instrument_id, values).as_dict()["band"] is None


# --- PCL-5 cut-point: total >= cutpoint, Policy 31-33, default 33 (CLINICAL.md s4) ---

CUTPOINT_EXAMPLES = [
    (32, 33, False),
    (33, 33, True),
    (34, 33, True),
    (30, 31, False),
    (31, 31, True),
    (32, 31, True),
    (32, 32, True),
    (31, 32, False),
]


@pytest.mark.parametrize(("total", "cutpoint", "expected"), CUTPOINT_EXAMPLES)
def test_pcl5_cutpoint_is_inclusive(total: int, cutpoint: int, expected: bool) -> None:
    result = score("pcl5", with_total("pcl5", total), cutpoint=cutpoint)
    assert result.provisional_diagnosis is not None
    assert result.provisional_diagnosis.cutpoint is expected
    assert result.provisional_diagnosis.cutpoint_used == cutpoint


@pytest.mark.parametrize("total", [32, 33, 34])
def test_pcl5_default_cutpoint_is_33(total: int) -> None:
    result = score("pcl5", with_total("pcl5", total)).as_dict()
    assert result["provisional_diagnosis"] == {"dsm_rule": False, "cutpoint": total >= 33}


@pytest.mark.parametrize("cutpoint", [30, 34, 0, 80, -1])
def test_pcl5_cutpoint_outside_policy_range_is_refused(cutpoint: int) -> None:
    with pytest.raises(ClinicalError, match="cut-point must be a whole number from 31 to 33"):
        score("pcl5", [0] * 20, cutpoint=cutpoint)


@pytest.mark.parametrize("cutpoint", [True, 33.0, "33"])
def test_pcl5_cutpoint_must_be_an_integer(cutpoint: Any) -> None:
    with pytest.raises(ClinicalError, match="cut-point"):
        score("pcl5", [0] * 20, cutpoint=cutpoint)


# --- PCL-5 DSM rule: >=1 B, >=1 C, >=2 D, >=2 E items at >= 2 (CLINICAL.md s4) ---

DSM_EXAMPLES = [
    (
        "minimum met, low total",
        pcl5([2, 0, 0, 0, 0], [2, 0], [2, 2, 0, 0, 0, 0, 0], [2, 2, 0, 0, 0, 0]),
        True,
        12,
    ),
    ("high total but no C symptom", pcl5([4] * 5, [1, 1], [4] * 7, [4] * 6), False, 74),
    ("high total but only one D symptom", pcl5([4] * 5, [4, 4], [4, 1, 1, 1, 1, 1, 1], [4] * 6), False, 62),
    ("high total but only one E symptom", pcl5([4] * 5, [4, 4], [4] * 7, [4, 1, 1, 1, 1, 1]), False, 65),
    ("no B symptom", pcl5([1] * 5, [2, 0], [2, 2, 0, 0, 0, 0, 0], [2, 2, 0, 0, 0, 0]), False, 15),
    ("items at 1 are not endorsed", pcl5([1] * 5, [1, 1], [1] * 7, [1] * 6), False, 20),
    (
        "last item of each cluster counts",
        pcl5([0, 0, 0, 0, 2], [0, 2], [0, 0, 0, 0, 0, 2, 2], [0, 0, 0, 0, 2, 2]),
        True,
        12,
    ),
]


@pytest.mark.parametrize(
    ("case", "values", "expected", "total"), DSM_EXAMPLES, ids=[c[0] for c in DSM_EXAMPLES]
)
def test_pcl5_dsm_rule(case: str, values: list[int | None], expected: bool, total: int) -> None:
    result = score("pcl5", values)
    assert result.total == total
    assert result.provisional_diagnosis is not None
    assert result.provisional_diagnosis.dsm_rule is expected


def test_pcl5_dsm_rule_and_cutpoint_are_reported_apart() -> None:
    low_total = score("pcl5", DSM_EXAMPLES[0][1]).as_dict()
    high_total = score("pcl5", DSM_EXAMPLES[1][1]).as_dict()
    assert low_total["provisional_diagnosis"] == {"dsm_rule": True, "cutpoint": False}
    assert high_total["provisional_diagnosis"] == {"dsm_rule": False, "cutpoint": True}


def test_pcl5_cluster_sums_are_subscales() -> None:
    values = pcl5([0, 1, 2, 3, 4], [4, 3], [0, 1, 2, 3, 4, 0, 1], [2, 2, 2, 2, 2, 2])
    result = score("pcl5", values)
    assert result.subscales == {"B": 10, "C": 7, "D": 11, "E": 12}
    assert result.total == 40
    assert result.total_mean == 2.0


# --- missing items: no prorating, total None (CLINICAL.md s4, "Missing items") ---

PCL5_MISSING = [
    # (values, dsm_rule, cutpoint): a verdict only when the blanks cannot change it
    ("rule already met", [*DSM_EXAMPLES[0][1][:19], None], True, False),
    ("rule open", [2] * 19 + [None], True, True),
    ("cluster E open", pcl5([2] * 5, [2, 2], [2] * 7, [2, 0, 0, 0, 0, 0])[:19] + [None], None, None),
    ("no C possible", pcl5([4] * 5, [0, 0], [4] * 7, [4] * 6)[:5] + [None, 0] + [4] * 13, None, True),
    ("nothing endorsed", [0] * 19 + [None], False, False),
    (
        "cut-point out of reach",
        pcl5([2] * 5, [2, 2], [2, 2, 0, 0, 0, 0, 0], [2, 0, 0, 0, 0, 0])[:19] + [None],
        None,
        False,
    ),
]


@pytest.mark.parametrize(("case", "values", "dsm", "cut"), PCL5_MISSING, ids=[c[0] for c in PCL5_MISSING])
def test_pcl5_missing_item_gives_no_total_but_sure_verdicts(
    case: str, values: list[int | None], dsm: bool | None, cut: bool | None
) -> None:
    result = score("pcl5", values)
    assert (result.complete, result.total) == (False, None)
    assert result.provisional_diagnosis is not None
    assert (result.provisional_diagnosis.dsm_rule, result.provisional_diagnosis.cutpoint) == (
        dsm,
        cut,
    )


def test_pcl5_no_c_symptom_is_false_when_the_blank_is_elsewhere() -> None:
    values = pcl5([4] * 5, [0, 0], [4] * 7, [4] * 6)
    values[0] = None
    result = score("pcl5", values)
    assert result.provisional_diagnosis is not None
    assert result.provisional_diagnosis.dsm_rule is False


def test_pcl5_missing_item_blanks_only_its_own_cluster_sum() -> None:
    values: list[int | None] = [1] * 20
    values[6] = None  # item 7, cluster C
    result = score("pcl5", values)
    assert result.subscales == {"B": 5, "C": None, "D": 7, "E": 6}
    assert result.total_mean == 1.0
    assert result.missing == ("pcl5-7",)


@pytest.mark.parametrize("instrument_id", ["pcl5", "phq9", "gad7", "madrs", "caps5", "cadss"])
def test_summed_instruments_do_not_prorate_a_missing_item(instrument_id: str) -> None:
    values = with_total(instrument_id, 6)
    values[0] = None  # the answered ones now sum to 6 - first value
    result = score(instrument_id, values)
    assert result.complete is False
    assert result.total is None
    assert result.band is None
    assert result.as_dict()["total"] is None


@pytest.mark.parametrize("instrument_id", ["pcl5", "phq9", "gad7", "madrs", "caps5", "cadss"])
def test_total_mean_is_none_when_nothing_is_answered(instrument_id: str) -> None:
    n = len(INSTRUMENTS[instrument_id].items)
    result = score(instrument_id, [None] * n)
    assert (result.complete, result.total, result.total_mean) == (False, None, None)


def test_total_mean_averages_answered_items_only() -> None:
    result = score("gad7", [3, 3, None, 0, 0, None, 0])
    assert result.total is None
    assert result.total_mean == pytest.approx(6 / 5)


# --- PHQ-9 item 9 and item 10 (CLINICAL.md s4) ---------------------------------


@pytest.mark.parametrize(("item9", "flagged"), [(0, False), (1, True), (2, True), (3, True)])
def test_phq9_item9_above_zero_flags_suicide_risk_whatever_the_total(item9: int, flagged: bool) -> None:
    result = score("phq9", [0] * 8 + [item9])
    assert (Flag.SUICIDE_RISK in result.flags) is flagged
    assert ("suicide_risk" in cast(list[str], result.as_dict()["flags"])) is flagged
    assert result.band == "minimal"


def test_phq9_high_total_without_item9_raises_no_flag() -> None:
    result = score("phq9", [3] * 8 + [0])
    assert (result.total, result.band, result.flags) == (24, "severe", ())


def test_phq9_item9_flag_holds_when_other_items_are_missing() -> None:
    result = score("phq9", [None] * 8 + [1])
    assert result.complete is False
    assert result.flags == (Flag.SUICIDE_RISK,)


@pytest.mark.parametrize("item10", [0, 1, 2, 3, None])
def test_phq9_item10_is_recorded_never_summed(item10: int | None) -> None:
    nine = [1, 1, 1, 1, 1, 1, 1, 1, 0]
    result = score("phq9", [*nine, item10])
    assert (result.total, result.band, result.complete) == (8, "mild", True)
    assert result.total_mean == pytest.approx(8 / 9)
    assert result.answers[9] == item10
    assert result.as_dict() == score("phq9", nine).as_dict()


@pytest.mark.parametrize("item10", [-1, 4])
def test_phq9_item10_outside_0_to_3_is_refused(item10: int) -> None:
    with pytest.raises(ClinicalError, match=r"answer 10 \(phq9-10"):
        score("phq9", [0] * 9 + [item10])


# --- CADSS: 23 items x 0-4, total 0-92 (CLINICAL.md s3) ---------------------------


@pytest.mark.parametrize(("values", "total"), [([0] * 23, 0), ([4] * 23, 92), ([1] * 23, 23)])
def test_cadss_totals_23_items(values: list[int | None], total: int) -> None:
    result = score("cadss", values)
    assert (result.total, result.subscales, result.band) == (total, {}, None)
