"""CAPS-5 and IES-R worked examples.

Sources: CLINICAL.md s4 (CAPS-5 row: severities 0-4, present at >= 2, DSM cluster
rule and criteria F and G; IES-R row: the authors' subscale key, means, mean of
answered items) and the CAPS-5 manual / Weiss & Marmar 1997.
"""

from collections.abc import Sequence

import pytest

from clinical.errors import ClinicalError
from clinical.instruments import score

N = None
# Symptom severities meeting the DSM rule exactly: one B, one C, two D, two E at 2.
DSM_MET = [2, 0, 0, 0, 0, 2, 0, 2, 2, 0, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0]
# A high total that misses the rule: no C symptom.
NO_C = [4] * 5 + [1, 1] + [4] * 13


def caps5(severities: Sequence[int | None], f: int | None, g: int | None) -> list[int | None]:
    """Return CAPS-5 input: 20 severities, then criteria F and G as 1/0."""
    return [*severities, f, g]


CAPS5_DIAGNOSIS = [
    ("DSM rule, F and G met", caps5(DSM_MET, 1, 1), True, 12),
    ("F not met (duration 1 month or less)", caps5(DSM_MET, 0, 1), False, 12),
    ("G not met (no distress or impairment)", caps5(DSM_MET, 1, 0), False, 12),
    ("neither F nor G", caps5(DSM_MET, 0, 0), False, 12),
    ("high total without a C symptom", caps5(NO_C, 1, 1), False, 74),
    ("all severe", caps5([4] * 20, 1, 1), True, 80),
    ("all mild (1 is not present)", caps5([1] * 20, 1, 1), False, 20),
]


@pytest.mark.parametrize(
    ("case", "values", "diagnosis", "total"), CAPS5_DIAGNOSIS, ids=[c[0] for c in CAPS5_DIAGNOSIS]
)
def test_caps5_diagnosis_needs_cluster_rule_and_f_and_g(
    case: str, values: list[int | None], diagnosis: bool, total: int
) -> None:
    result = score("caps5", values)
    assert (result.diagnosis, result.total, result.complete) == (diagnosis, total, True)
    assert result.as_dict()["diagnosis"] is diagnosis


def test_caps5_json_shape_has_cluster_sums_and_diagnosis() -> None:
    assert score("caps5", caps5(DSM_MET, 1, 1)).as_dict() == {
        "instrument": "caps5",
        "complete": True,
        "total": 12,
        "total_mean": 0.6,
        "subscales": {"B": 2, "C": 2, "D": 4, "E": 4},
        "band": None,
        "flags": [],
        "diagnosis": True,
    }


def test_caps5_f_and_g_never_count_towards_the_total() -> None:
    with_fg = score("caps5", caps5([1] * 20, 1, 1))
    without = score("caps5", caps5([1] * 20, 0, 0))
    assert with_fg.total == without.total == 20
    assert with_fg.total_mean == without.total_mean == 1.0


CAPS5_INCOMPLETE = [
    ("F blank, rule met", caps5(DSM_MET, N, 1), None),
    ("F no, G blank", caps5(DSM_MET, 0, N), False),
    ("symptom blank, rule already met", caps5([*DSM_MET[:19], N], 1, 1), True),
    ("only C symptom blank", caps5([*DSM_MET[:5], N, 0, *DSM_MET[7:]], 1, 1), None),
]


@pytest.mark.parametrize(
    ("case", "values", "diagnosis"), CAPS5_INCOMPLETE, ids=[c[0] for c in CAPS5_INCOMPLETE]
)
def test_caps5_incomplete_gives_a_diagnosis_only_when_blanks_cannot_change_it(
    case: str, values: list[int | None], diagnosis: bool | None
) -> None:
    result = score("caps5", values)
    assert result.complete is False
    assert result.diagnosis is diagnosis


def test_caps5_total_needs_all_20_severities_but_not_f_and_g() -> None:
    assert score("caps5", caps5(DSM_MET, N, N)).total == 12
    assert score("caps5", caps5([*DSM_MET[:19], N], 1, 1)).total is None


@pytest.mark.parametrize(("f", "g"), [(2, 1), (1, -1)])
def test_caps5_refuses_f_or_g_other_than_0_or_1(f: int, g: int) -> None:
    with pytest.raises(ClinicalError, match="must be between 0 and 1"):
        score("caps5", caps5(DSM_MET, f, g))


def test_caps5_needs_22_positions() -> None:
    with pytest.raises(ClinicalError, match="expected 22 answers, got 20"):
        score("caps5", DSM_MET)


# --- IES-R -----------------------------------------------------------------------

INTRUSION = (1, 2, 3, 6, 9, 14, 16, 20)
AVOIDANCE = (5, 7, 8, 11, 12, 13, 17, 22)
HYPERAROUSAL = (4, 10, 15, 18, 19, 21)


def iesr(**by_item: int | None) -> list[int | None]:
    """Return 22 IES-R answers, all 0 except items given as i<n>=value."""
    values: list[int | None] = [0] * 22
    for key, value in by_item.items():
        values[int(key[1:]) - 1] = value
    return values


@pytest.mark.parametrize(
    ("item", "subscale"),
    [(n, "intrusion") for n in INTRUSION]
    + [(n, "avoidance") for n in AVOIDANCE]
    + [(n, "hyperarousal") for n in HYPERAROUSAL],
)
def test_iesr_each_item_lands_in_the_authors_subscale(item: int, subscale: str) -> None:
    size = {"intrusion": 8, "avoidance": 8, "hyperarousal": 6}[subscale]
    result = score("iesr", iesr(**{f"i{item}": 4}))
    expected = {"intrusion": 0.0, "avoidance": 0.0, "hyperarousal": 0.0}
    expected[subscale] = 4 / size
    assert result.subscales == pytest.approx(expected)


def test_iesr_item_14_is_intrusion_not_hyperarousal() -> None:
    result = score("iesr", iesr(i14=4))
    assert result.subscales["intrusion"] == 0.5
    assert result.subscales["hyperarousal"] == 0.0


def test_iesr_complete_gives_sum_total_and_mean_subscales() -> None:
    values = [n % 5 for n in range(1, 23)]  # item n answered n mod 5: 1,2,3,4,0,1,...
    result = score("iesr", values)
    assert result.total == 43
    assert result.total_mean == pytest.approx(43 / 22)
    # intrusion items 1,2,3,6,9,14,16,20 -> 1+2+3+1+4+4+1+0 = 16 over 8
    # avoidance 5,7,8,11,12,13,17,22 -> 0+2+3+1+2+3+2+2 = 15 over 8
    # hyperarousal 4,10,15,18,19,21 -> 4+0+0+3+4+1 = 12 over 6
    assert result.subscales == pytest.approx({"intrusion": 2.0, "avoidance": 15 / 8, "hyperarousal": 2.0})


def test_iesr_missing_items_give_means_of_answered_and_no_total() -> None:
    result = score("iesr", iesr(i1=4, i2=N, i3=2, i5=N))
    assert (result.complete, result.total) == (False, None)
    assert result.total_mean == pytest.approx(6 / 20)
    assert result.subscales["intrusion"] == pytest.approx(6 / 7)
    assert result.subscales["avoidance"] == 0.0
    assert result.missing == ("iesr-2", "iesr-5")


def test_iesr_subscale_with_nothing_answered_is_null() -> None:
    values = iesr(**{f"i{n}": N for n in HYPERAROUSAL})
    assert score("iesr", values).as_dict()["subscales"] == {
        "intrusion": 0.0,
        "avoidance": 0.0,
        "hyperarousal": None,
    }


def test_iesr_all_extreme_is_88_with_means_of_4() -> None:
    result = score("iesr", [4] * 22)
    assert result.total == 88
    assert result.subscales == {"intrusion": 4.0, "avoidance": 4.0, "hyperarousal": 4.0}
