"""The instrument data itself: structure, codes and labels.

Sources: CLINICAL.md s4 (items, ranges, clusters, bands) and s5 (codes).
"""

from typing import Any, cast

import pytest

from clinical.errors import ClinicalError
from clinical.instruments import INSTRUMENTS, get_instrument
from clinical.instruments.model import LOCAL_SYSTEM, LOINC, Aggregate

IDS = list(INSTRUMENTS)

# (instrument, scored items, lowest..highest answer, total range) from CLINICAL.md s4/s3
SHAPES = [
    ("pcl5", 20, (0, 4), (0, 80)),
    ("phq9", 9, (0, 3), (0, 27)),
    ("gad7", 7, (0, 3), (0, 21)),
    ("iesr", 22, (0, 4), (0, 88)),
    ("madrs", 10, (0, 6), (0, 60)),
    ("caps5", 20, (0, 4), (0, 80)),
    ("cadss", 23, (0, 4), (0, 92)),
]


@pytest.mark.parametrize(("instrument_id", "count", "scale", "total"), SHAPES)
def test_scored_items_and_total_range_match_clinical_md(
    instrument_id: str, count: int, scale: tuple[int, int], total: tuple[int, int]
) -> None:
    instrument = INSTRUMENTS[instrument_id]
    items = instrument.scored_items
    assert len(items) == count
    assert {(it.min_value, it.max_value) for it in items} == {scale}
    assert instrument.total_range == total


def test_cssrs_has_seven_yes_no_positions_and_no_total() -> None:
    cssrs = INSTRUMENTS["cssrs"]
    assert [it.id for it in cssrs.items] == [
        "cssrs-1",
        "cssrs-2",
        "cssrs-3",
        "cssrs-4",
        "cssrs-5",
        "cssrs-6",
        "cssrs-6-recent",
    ]
    assert all((it.min_value, it.max_value) == (0, 1) for it in cssrs.items)
    assert cssrs.total_range is None


@pytest.mark.parametrize("instrument_id", IDS)
def test_item_ids_are_unique_and_prefixed(instrument_id: str) -> None:
    ids = [it.id for it in INSTRUMENTS[instrument_id].items]
    assert len(set(ids)) == len(ids)
    assert all(i.startswith(f"{instrument_id}-") for i in ids)


@pytest.mark.parametrize("instrument_id", IDS)
def test_labels_are_our_own_short_words(instrument_id: str) -> None:
    for item in INSTRUMENTS[instrument_id].items:
        assert 1 <= len(item.label.split()) <= 5, item.label
        assert not item.label.endswith("?")


@pytest.mark.parametrize("instrument_id", IDS)
def test_skip_logic_only_looks_back_at_earlier_items(instrument_id: str) -> None:
    instrument = INSTRUMENTS[instrument_id]
    for pos, item in enumerate(instrument.items):
        for cond in item.enable_when:
            assert instrument.position(cond.item_id) < pos


@pytest.mark.parametrize("instrument_id", IDS)
def test_bands_are_contiguous_and_cover_the_total_range(instrument_id: str) -> None:
    instrument = INSTRUMENTS[instrument_id]
    if not instrument.bands:
        return
    assert instrument.total_range == (instrument.bands[0].low, instrument.bands[-1].high)
    for before, after in zip(instrument.bands, instrument.bands[1:], strict=False):
        assert after.low == before.high + 1


CLUSTERS = {"B": range(1, 6), "C": range(6, 8), "D": range(8, 15), "E": range(15, 21)}


@pytest.mark.parametrize("instrument_id", ["pcl5", "caps5"])
def test_dsm_clusters_are_b_1_5_c_6_7_d_8_14_e_15_20_as_sums(instrument_id: str) -> None:
    instrument = INSTRUMENTS[instrument_id]
    assert {s.id: s.item_ids for s in instrument.subscales} == {
        k: tuple(f"{instrument_id}-{n}" for n in r) for k, r in CLUSTERS.items()
    }
    assert {s.aggregate for s in instrument.subscales} == {Aggregate.SUM}
    rule = instrument.cluster_rule
    assert rule is not None
    assert (rule.endorsed_at, dict(rule.minimum_per_subscale)) == (2, {"B": 1, "C": 1, "D": 2, "E": 2})


def test_iesr_subscales_are_the_authors_key_as_means() -> None:
    iesr = INSTRUMENTS["iesr"]
    key = {s.id: [int(i.split("-")[1]) for i in s.item_ids] for s in iesr.subscales}
    assert key == {
        "intrusion": [1, 2, 3, 6, 9, 14, 16, 20],
        "avoidance": [5, 7, 8, 11, 12, 13, 17, 22],
        "hyperarousal": [4, 10, 15, 18, 19, 21],
    }
    assert sorted(n for ns in key.values() for n in ns) == list(range(1, 23))
    assert {s.aggregate for s in iesr.subscales} == {Aggregate.MEAN}


# CLINICAL.md s5: LOINC where given, else the local code system.
PANEL_CODES = [
    ("pcl5", LOINC, "101697-1"),
    ("phq9", LOINC, "44249-1"),
    ("gad7", LOINC, "69737-5"),
    ("iesr", LOINC, "100232-8"),
    ("cssrs", LOCAL_SYSTEM, "cssrs-screener"),
    ("madrs", LOCAL_SYSTEM, "madrs"),
    ("caps5", LOCAL_SYSTEM, "caps5"),
    ("cadss", LOCAL_SYSTEM, "cadss"),
]
TOTAL_CODES = [
    ("pcl5", LOINC, "101698-9"),
    ("phq9", LOINC, "44261-6"),
    ("gad7", LOINC, "70274-6"),
    ("iesr", LOCAL_SYSTEM, "iesr-total"),
    ("madrs", LOCAL_SYSTEM, "madrs-total"),
    ("caps5", LOCAL_SYSTEM, "caps5-total"),
    ("cadss", LOCAL_SYSTEM, "cadss-total"),
]


@pytest.mark.parametrize(("instrument_id", "system", "code"), PANEL_CODES)
def test_panel_codes_follow_clinical_md_section_5(instrument_id: str, system: str, code: str) -> None:
    panel = INSTRUMENTS[instrument_id].codes.panel
    assert (panel.system, panel.code) == (system, code)


@pytest.mark.parametrize(("instrument_id", "system", "code"), TOTAL_CODES)
def test_total_codes_follow_clinical_md_section_5(instrument_id: str, system: str, code: str) -> None:
    total = INSTRUMENTS[instrument_id].codes.total
    assert total is not None and (total.system, total.code) == (system, code)


def test_item_codes_follow_clinical_md_section_5() -> None:
    coded = {
        it.id: it.code.code
        for instrument in INSTRUMENTS.values()
        for it in instrument.items
        if it.code is not None
    }
    assert coded == {
        "phq9-9": "44260-8",
        "cssrs-1": "93246-7",
        "cssrs-2": "93247-5",
        "cssrs-3": "93248-3",
        "cssrs-4": "93249-1",
        "cssrs-5": "93250-9",
        "cssrs-6": "93267-3",
        "cssrs-6-recent": "93269-9",
    }
    risk = INSTRUMENTS["cssrs"].codes.risk_level
    assert risk is not None and (risk.system, risk.code) == (LOINC, "93374-7")


def test_phq9_item_10_is_optional_and_unscored() -> None:
    item10 = INSTRUMENTS["phq9"].items[9]
    assert (item10.id, item10.scored, item10.required) == ("phq9-10", False, False)
    assert INSTRUMENTS["phq9"].accepted_counts == (9, 10)


def test_get_instrument_returns_the_registered_definition() -> None:
    assert get_instrument("madrs") is INSTRUMENTS["madrs"]


def test_get_instrument_refuses_an_unknown_id() -> None:
    with pytest.raises(ClinicalError, match="Unknown instrument 'bdi'"):
        get_instrument("bdi")


def test_registry_cannot_be_changed() -> None:
    with pytest.raises(TypeError):
        cast(Any, INSTRUMENTS)["x"] = INSTRUMENTS["pcl5"]
