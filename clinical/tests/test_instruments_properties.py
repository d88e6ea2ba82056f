"""Hypothesis properties of instrument scoring (CLINICAL.md s4).

Valid answers are drawn from each instrument's own definition, skip logic
included, so every property covers all eight instruments unless it says not.
"""

import json
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from clinical.instruments import INSTRUMENTS, Instrument, score
from clinical.instruments.validation import is_enabled

IDS = sorted(INSTRUMENTS)


@st.composite
def answers(draw: st.DrawFn, instrument: Instrument, blanks: bool = True) -> list[int | None]:
    """Draw one valid answer list, blanks allowed, skip logic respected."""
    values: list[int | None] = []
    for item in instrument.items:
        if not is_enabled(instrument, item, (*values, *[None] * (len(instrument.items) - len(values)))):
            values.append(None)
            continue
        choices = [o.value for o in item.options]
        pick = st.sampled_from(choices)
        values.append(draw(st.none() | pick) if blanks else draw(pick))
    return values


@st.composite
def scored(draw: st.DrawFn, blanks: bool = True) -> tuple[Instrument, list[int | None]]:
    instrument = INSTRUMENTS[draw(st.sampled_from(IDS))]
    return instrument, draw(answers(instrument, blanks))


@given(scored())
def test_no_valid_input_raises_and_json_round_trips(case: tuple[Instrument, list[int | None]]) -> None:
    instrument, values = case
    result = score(instrument.id, values)
    as_dict = result.as_dict()
    assert json.loads(json.dumps(as_dict)) == as_dict
    assert list(as_dict)[:7] == [
        "instrument",
        "complete",
        "total",
        "total_mean",
        "subscales",
        "band",
        "flags",
    ]
    assert list(as_dict)[7:] == [o.value for o in instrument.outputs]


@given(scored())
def test_scoring_is_a_function_of_the_answers(case: tuple[Instrument, list[int | None]]) -> None:
    instrument, values = case
    assert score(instrument.id, values) == score(instrument.id, list(values))


@given(scored())
def test_total_is_within_range_and_present_only_when_scored_items_are_answered(
    case: tuple[Instrument, list[int | None]],
) -> None:
    instrument, values = case
    result = score(instrument.id, values)
    scored_values = [v for it, v in zip(instrument.items, values, strict=True) if it.scored]
    if instrument.total_range is None or None in scored_values:
        assert result.total is None
        return
    low, high = instrument.total_range
    assert result.total is not None and low <= result.total <= high
    assert result.total == sum(v for v in scored_values if v is not None)


@given(scored())
def test_total_mean_lies_between_the_lowest_and_highest_answer(
    case: tuple[Instrument, list[int | None]],
) -> None:
    instrument, values = case
    result = score(instrument.id, values)
    answered = [v for it, v in zip(instrument.items, values, strict=True) if it.scored and v is not None]
    if not answered or instrument.total_range is None:
        assert result.total_mean is None
    else:
        assert result.total_mean is not None
        assert min(answered) - 1e-9 <= result.total_mean <= max(answered) + 1e-9


@given(scored())
def test_band_is_given_exactly_when_a_banded_total_exists(
    case: tuple[Instrument, list[int | None]],
) -> None:
    instrument, values = case
    result = score(instrument.id, values)
    assert (result.band is not None) == (bool(instrument.bands) and result.total is not None)


@given(scored())
def test_complete_means_nothing_asked_was_left_blank(case: tuple[Instrument, list[int | None]]) -> None:
    instrument, values = case
    result = score(instrument.id, values)
    assert result.complete == (result.missing == ())
    for item_id in result.missing:
        assert values[instrument.position(item_id)] is None


@given(st.sampled_from(["pcl5", "caps5"]).flatmap(lambda i: answers(INSTRUMENTS[i], blanks=False)))
def test_pcl5_and_caps5_clusters_sum_to_the_total(values: list[int | None]) -> None:
    instrument_id = "pcl5" if len(values) == 20 else "caps5"
    result = score(instrument_id, values)
    sums = [v for v in result.subscales.values() if isinstance(v, int)]
    assert len(sums) == 4
    assert sum(sums) == result.total


@given(answers(INSTRUMENTS["iesr"]))
def test_iesr_subscale_means_stay_within_0_to_4(values: list[int | None]) -> None:
    for mean in score("iesr", values).subscales.values():
        assert mean is None or 0 <= mean <= 4


@given(st.sampled_from(["pcl5", "caps5"]), st.data())
def test_permuting_items_within_a_cluster_keeps_cluster_sums_and_verdicts(
    instrument_id: str, data: st.DataObject
) -> None:
    instrument = INSTRUMENTS[instrument_id]
    values = data.draw(answers(instrument))
    shuffled = list(values)
    for sub in instrument.subscales:
        positions = [instrument.position(i) for i in sub.item_ids]
        order = data.draw(st.permutations(positions))
        for target, source in zip(positions, order, strict=True):
            shuffled[target] = values[source]
    before, after = score(instrument_id, values), score(instrument_id, shuffled)
    assert before.subscales == after.subscales
    assert before.total == after.total
    assert before.provisional_diagnosis == after.provisional_diagnosis
    assert before.diagnosis == after.diagnosis


@settings(max_examples=200)
@given(scored(), st.randoms(use_true_random=False))
def test_a_verdict_on_incomplete_answers_holds_for_every_completion(
    case: tuple[Instrument, list[int | None]], rnd: random.Random
) -> None:
    instrument, values = case
    partial = score(instrument.id, values)
    for _ in range(5):
        full = score(instrument.id, _complete(instrument, values, rnd))
        if partial.risk_level is not None:
            assert full.risk_level is partial.risk_level
        if partial.diagnosis is not None:
            assert full.diagnosis is partial.diagnosis
        if partial.provisional_diagnosis is not None:
            pd, fd = partial.provisional_diagnosis, full.provisional_diagnosis
            assert fd is not None
            assert pd.dsm_rule in (None, fd.dsm_rule)
            assert pd.cutpoint in (None, fd.cutpoint)
        assert set(partial.flags) <= set(full.flags)


def _complete(instrument: Instrument, values: list[int | None], rnd: random.Random) -> list[int | None]:
    """Fill every askable blank with a random valid answer, following skip logic."""
    filled = list(values)
    for pos, item in enumerate(instrument.items):
        if not is_enabled(instrument, item, tuple(filled)):
            filled[pos] = None
        elif filled[pos] is None:
            filled[pos] = rnd.choice([o.value for o in item.options])
    return filled
