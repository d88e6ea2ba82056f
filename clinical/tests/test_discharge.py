"""Discharge readiness: Aldrete or PADSS, escort, observation time (CLINICAL.md section 3)."""

from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinical.discharge import (
    ALDRETE,
    DEFAULT_POLICY,
    PADSS,
    SCALES,
    DischargeDecision,
    DischargePolicy,
    ScoreKind,
    evaluate_discharge,
    score_total,
)
from clinical.errors import ClinicalError

ENDED = datetime(2024, 3, 4, 11, 0, tzinfo=UTC)
LATER = ENDED + timedelta(minutes=75)


def aldrete(activity: int = 2, respiration: int = 2, circulation: int = 2, consciousness: int = 2,
            spo2: int = 2) -> dict[str, int]:
    return {"activity": activity, "respiration": respiration, "circulation": circulation,
            "consciousness": consciousness, "spo2": spo2}


def padss(vital_signs: int = 2, ambulation: int = 2, nausea_vomiting: int = 2, pain: int = 2,
          surgical_bleeding: int = 2) -> dict[str, int]:
    return {"vital_signs": vital_signs, "ambulation": ambulation, "nausea_vomiting": nausea_vomiting,
            "pain": pain, "surgical_bleeding": surgical_bleeding}


def decide(kind: ScoreKind = ScoreKind.ALDRETE, scores: dict[str, int] | None = None, *,
           escort: bool = True, now: datetime = LATER, policy: DischargePolicy = DEFAULT_POLICY,
           override_reason: str | None = None) -> DischargeDecision:
    return evaluate_discharge(kind, aldrete() if scores is None else scores, escort_confirmed=escort,
                              infusion_ended_at=ENDED, now=now, policy=policy, override_reason=override_reason)


def test_both_scales_have_five_items_scored_0_to_2() -> None:
    for scale in (ALDRETE, PADSS):
        assert len(scale.items) == 5
        assert {item.max_score for item in scale.items} == {2}
        assert scale.max_total == 10


@pytest.mark.parametrize(
    ("kind", "scores", "total", "allowed"),
    [
        (ScoreKind.ALDRETE, aldrete(), 10, True),
        (ScoreKind.ALDRETE, aldrete(activity=1), 9, True),
        (ScoreKind.ALDRETE, aldrete(activity=1, spo2=1), 8, False),
        (ScoreKind.ALDRETE, aldrete(consciousness=0), 8, False),
        (ScoreKind.PADSS, padss(), 10, True),
        (ScoreKind.PADSS, padss(pain=1), 9, True),
        (ScoreKind.PADSS, padss(pain=1, nausea_vomiting=1), 8, False),
        (ScoreKind.PADSS, padss(ambulation=0), 8, False),
    ],
)
def test_score_is_ready_at_9_or_more(kind: ScoreKind, scores: dict[str, int], total: int, allowed: bool) -> None:
    decision = decide(kind, scores)
    assert (decision.total_score, decision.allowed) == (total, allowed)
    if not allowed:
        assert decision.reasons == (f"The {kind.value} score is {total}, below the discharge threshold of 9.",)


def test_missing_escort_blocks_discharge() -> None:
    decision = decide(escort=False)
    assert not decision.allowed
    assert decision.reasons == ("No responsible adult escort is confirmed.",)


@pytest.mark.parametrize(
    ("elapsed", "remaining"),
    [
        (timedelta(minutes=60), 0),  # exactly the minimum: met
        (timedelta(minutes=61), 0),
        (timedelta(minutes=59), 1),
        (timedelta(minutes=59, seconds=30), 1),  # part of a minute owed counts as a minute
        (timedelta(minutes=20), 40),
        (timedelta(0), 60),
    ],
)
def test_observation_time_must_have_elapsed(elapsed: timedelta, remaining: int) -> None:
    decision = decide(now=ENDED + elapsed)
    assert decision.observation_remaining_min == remaining
    assert decision.allowed == (remaining == 0)
    if remaining:
        assert decision.reasons == (
            f"Observation time not yet elapsed: {remaining} min remaining of the 60 min minimum "
            "after the infusion ended.",
        )


def test_every_unmet_condition_is_listed() -> None:
    decision = decide(scores=aldrete(activity=0), escort=False, now=ENDED + timedelta(minutes=30))
    assert not decision.allowed
    assert len(decision.reasons) == 3


def test_prescriber_override_allows_discharge_and_is_recorded() -> None:
    decision = decide(escort=False, override_reason="  Collected by clinic transport, Dr Synthetic ")
    assert decision.allowed and decision.overridden
    assert decision.override_reason == "Collected by clinic transport, Dr Synthetic"
    assert decision.reasons == ("No responsible adult escort is confirmed.",)


@pytest.mark.parametrize("blank", ["", "  ", None])
def test_blank_override_reason_does_not_override(blank: str | None) -> None:
    decision = decide(escort=False, override_reason=blank)
    assert not decision.allowed and not decision.overridden


def test_override_reason_is_not_recorded_when_nothing_was_unmet() -> None:
    decision = decide(override_reason="in case")
    assert decision.allowed and not decision.overridden and decision.override_reason is None


def test_clinic_policy_sets_observation_time_and_threshold() -> None:
    policy = DischargePolicy(min_observation_min=30, aldrete_ready_at=10)
    early = decide(scores=aldrete(activity=1), now=ENDED + timedelta(minutes=30), policy=policy)
    assert early.observation_remaining_min == 0
    assert early.reasons == ("The aldrete score is 9, below the discharge threshold of 10.",)
    assert early.policy is policy and early.ready_at == 10


@pytest.mark.parametrize(
    "settings",
    [
        {"min_observation_min": -1},
        {"aldrete_ready_at": 0},
        {"padss_ready_at": 11},
        {"min_observation_min": 60.0},
        {"aldrete_ready_at": True},
    ],
)
def test_policy_refuses_impossible_settings(settings: dict[str, Any]) -> None:
    with pytest.raises(ClinicalError):
        DischargePolicy(**settings)


@pytest.mark.parametrize(
    ("scores", "message"),
    [
        (aldrete(activity=3), "Activity must be scored 0 to 2; got 3"),
        (aldrete(spo2=-1), "Oxygen saturation must be scored 0 to 2; got -1"),
        ({**aldrete(), "respiration": 1.5}, "Respiration must be scored 0 to 2; got 1.5"),
        ({**aldrete(), "respiration": True}, "Respiration must be scored 0 to 2; got True"),
        ({k: v for k, v in aldrete().items() if k != "spo2"}, "missing: spo2; unknown: none"),
        ({**aldrete(), "pain": 2}, "missing: none; unknown: pain"),
        (padss(), "missing: activity, circulation, consciousness, respiration, spo2"),
    ],
)
def test_item_scores_out_of_range_missing_or_unknown_are_refused(scores: dict[str, int], message: str) -> None:
    with pytest.raises(ClinicalError, match=message):
        decide(ScoreKind.ALDRETE, scores)


def test_infusion_end_after_now_is_refused() -> None:
    with pytest.raises(ClinicalError, match="is after now"):
        decide(now=ENDED - timedelta(minutes=1))


@pytest.mark.parametrize("naive", ["infusion_ended_at", "now"])
def test_naive_datetimes_are_refused(naive: str) -> None:
    moments = {"infusion_ended_at": ENDED, "now": LATER}
    moments[naive] = moments[naive].replace(tzinfo=None)
    with pytest.raises(ClinicalError, match=f"{naive} must be a timezone-aware datetime"):
        evaluate_discharge(ScoreKind.ALDRETE, aldrete(), escort_confirmed=True,
                           infusion_ended_at=moments["infusion_ended_at"], now=moments["now"])


def test_escort_must_be_a_yes_or_no() -> None:
    with pytest.raises(ClinicalError, match="escort_confirmed"):
        decide(escort=cast(Any, "yes"))


@given(
    kind=st.sampled_from(list(ScoreKind)),
    values=st.lists(st.integers(min_value=0, max_value=2), min_size=5, max_size=5),
    escort=st.booleans(),
    elapsed_s=st.integers(min_value=0, max_value=3 * 3600),
)
def test_discharge_is_allowed_exactly_when_every_condition_is_met(
    kind: ScoreKind, values: list[int], escort: bool, elapsed_s: int
) -> None:
    scores = dict(zip((item.key for item in SCALES[kind].items), values, strict=True))
    decision = decide(kind, scores, escort=escort, now=ENDED + timedelta(seconds=elapsed_s))
    assert decision.total_score == score_total(kind, scores) == sum(values)
    assert decision.allowed == (sum(values) >= 9 and escort and elapsed_s >= 3600)
    assert decision.allowed == (decision.reasons == ())
