"""Eligibility checklist: worked examples and properties (synthetic data)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinical.eligibility import (
    Contraindication,
    EligibilityPolicy,
    PriorTrial,
    ReasonCode,
    ScreeningFacts,
    ScreeningOutcome,
    TrialKind,
    TrialOutcome,
    can_sign,
    count_failed_trials,
    missing_justifications,
    screen,
)
from clinical.errors import ClinicalError

MED = TrialKind.MEDICATION
PSY = TrialKind.PSYCHOTHERAPY
OUT = TrialOutcome


def trial(outcome: TrialOutcome, *, adequate: bool = True, kind: TrialKind = MED) -> PriorTrial:
    return PriorTrial(name="sertraline" if kind is MED else "CPT", kind=kind,
                      adequate=adequate, outcome=outcome)


TWO_FAILED = (trial(OUT.NONE), trial(OUT.PARTIAL, kind=PSY))


def facts(
    codes: tuple[str, ...] = ("F43.12",),
    trials: tuple[PriorTrial, ...] = TWO_FAILED,
    contra: frozenset[str] = frozenset(),
    justifications: dict[str, str] | None = None,
) -> ScreeningFacts:
    return ScreeningFacts(codes, trials, contra, justifications or {})


def reason_codes(result_facts: ScreeningFacts) -> set[ReasonCode]:
    return {r.code for r in screen(result_facts).reasons}


# --- diagnosis ------------------------------------------------------------

@pytest.mark.parametrize(
    ("codes", "outcome"),
    [
        (("F43.10",), ScreeningOutcome.ELIGIBLE),
        (("F43.11",), ScreeningOutcome.ELIGIBLE),
        (("F43.12",), ScreeningOutcome.ELIGIBLE),
        (("F32.2", "F43.12"), ScreeningOutcome.ELIGIBLE),
        (("F43.1",), ScreeningOutcome.INELIGIBLE),  # parent category, not a billable PTSD code
        (("F43.0",), ScreeningOutcome.INELIGIBLE),  # acute stress reaction
        (("F32.2",), ScreeningOutcome.INELIGIBLE),
        ((), ScreeningOutcome.INELIGIBLE),
    ],
)
def test_only_f43_10_11_12_confirm_ptsd(codes: tuple[str, ...], outcome: ScreeningOutcome) -> None:
    assert screen(facts(codes=codes)).outcome is outcome


def test_a_well_formed_non_ptsd_code_is_reported_as_not_confirmed() -> None:
    result = screen(facts(codes=("F41.1",)))
    reason = result.reasons[0]
    assert reason.code is ReasonCode.DIAGNOSIS_NOT_CONFIRMED
    assert "F41.1" in reason.text


@pytest.mark.parametrize("code", ["ptsd", "f43.12", "F43.", "F43.12345", "", "43.12"])
def test_screening_facts_reject_malformed_icd10cm_code(code: str) -> None:
    with pytest.raises(ClinicalError, match="not an ICD-10-CM code"):
        facts(codes=(code,))


# --- treatment resistance -----------------------------------------------

@pytest.mark.parametrize(
    ("trials", "failed"),
    [
        ((), 0),
        ((trial(OUT.NONE),), 1),
        ((trial(OUT.NONE), trial(OUT.PARTIAL)), 2),
        ((trial(OUT.NONE, kind=PSY), trial(OUT.PARTIAL, kind=PSY)), 2),  # psychotherapy counts
        ((trial(OUT.NONE), trial(OUT.NONE, adequate=False)), 1),  # inadequate trial ignored
        ((trial(OUT.NONE), trial(OUT.RESPONSE)), 1),
        ((trial(OUT.NONE), trial(OUT.REMISSION)), 1),
        ((trial(OUT.NONE), trial(OUT.INTOLERANCE)), 1),  # intolerance not a failure by default
        ((trial(OUT.NONE), trial(OUT.UNKNOWN)), 1),  # unknown not a failure by default
    ],
)
def test_failed_trials_count_adequate_none_or_partial(
    trials: tuple[PriorTrial, ...], failed: int
) -> None:
    assert count_failed_trials(trials, EligibilityPolicy()) == failed


def test_a_clinic_may_count_intolerance_as_failure() -> None:
    policy = EligibilityPolicy(failed_outcomes=frozenset({OUT.NONE, OUT.PARTIAL, OUT.INTOLERANCE}))
    assert count_failed_trials((trial(OUT.NONE), trial(OUT.INTOLERANCE)), policy) == 2


def test_policy_refuses_to_count_response_as_failure() -> None:
    with pytest.raises(ClinicalError, match="cannot count as failed"):
        EligibilityPolicy(failed_outcomes=frozenset({OUT.NONE, OUT.RESPONSE}))


@pytest.mark.parametrize(("n_failed", "outcome"), [
    (1, ScreeningOutcome.INELIGIBLE),
    (2, ScreeningOutcome.ELIGIBLE),
    (3, ScreeningOutcome.ELIGIBLE),
])
def test_two_failed_trials_are_needed_by_default(n_failed: int, outcome: ScreeningOutcome) -> None:
    result = screen(facts(trials=tuple(trial(OUT.NONE) for _ in range(n_failed))))
    assert result.outcome is outcome
    assert result.failed_trials == n_failed


def test_too_few_trials_is_ineligible_with_a_reason_naming_the_numbers() -> None:
    result = screen(facts(trials=(trial(OUT.NONE),)))
    reason = next(r for r in result.reasons if r.code is ReasonCode.TOO_FEW_FAILED_TRIALS)
    assert reason.text == "Only 1 failed adequate trial(s); the program needs 2."


def test_min_failed_trials_is_a_clinic_setting() -> None:
    policy = EligibilityPolicy(min_failed_trials=3)
    assert screen(facts(), policy).outcome is ScreeningOutcome.INELIGIBLE
    assert screen(facts(), policy).policy.min_failed_trials == 3


def test_negative_min_failed_trials_is_refused() -> None:
    with pytest.raises(ClinicalError):
        EligibilityPolicy(min_failed_trials=-1)


# --- contraindications -----------------------------------------------------

@pytest.mark.parametrize(
    ("code", "outcome", "reason"),
    [
        ("ketamine_hypersensitivity", ScreeningOutcome.INELIGIBLE, ReasonCode.ABSOLUTE_CONTRAINDICATION),
        ("pregnancy", ScreeningOutcome.INELIGIBLE, ReasonCode.ABSOLUTE_CONTRAINDICATION),
        ("raised_icp", ScreeningOutcome.INELIGIBLE, ReasonCode.ABSOLUTE_CONTRAINDICATION),
        ("unstable_cardiovascular", ScreeningOutcome.INELIGIBLE, ReasonCode.ABSOLUTE_CONTRAINDICATION),
        ("psychosis_history", ScreeningOutcome.NEEDS_REVIEW, ReasonCode.RELATIVE_CONTRAINDICATION),
        ("uncontrolled_hypertension", ScreeningOutcome.NEEDS_REVIEW, ReasonCode.RELATIVE_CONTRAINDICATION),
        ("active_sud", ScreeningOutcome.NEEDS_REVIEW, ReasonCode.RELATIVE_CONTRAINDICATION),
    ],
)
def test_default_contraindications_split_absolute_and_relative(
    code: str, outcome: ScreeningOutcome, reason: ReasonCode
) -> None:
    result = screen(facts(contra=frozenset({code})))
    assert result.outcome is outcome
    assert any(r.code is reason and r.subject == code for r in result.reasons)


def test_relative_contraindication_with_justification_is_eligible_and_recorded() -> None:
    why = "BP controlled on amlodipine, 132/84 at three visits."
    result = screen(facts(contra=frozenset({"uncontrolled_hypertension"}),
                          justifications={"uncontrolled_hypertension": why}))
    assert result.outcome is ScreeningOutcome.ELIGIBLE
    justified = [r for r in result.reasons if r.code is ReasonCode.RELATIVE_JUSTIFIED]
    assert len(justified) == 1 and why in justified[0].text


def test_each_relative_contraindication_needs_its_own_justification() -> None:
    result = screen(facts(contra=frozenset({"active_sud", "psychosis_history"}),
                          justifications={"active_sud": "In sustained remission 2 years."}))
    assert result.outcome is ScreeningOutcome.NEEDS_REVIEW


def test_blank_justification_does_not_count() -> None:
    result = screen(facts(contra=frozenset({"active_sud"}), justifications={"active_sud": "  "}))
    assert result.outcome is ScreeningOutcome.NEEDS_REVIEW


def test_justification_cannot_override_an_absolute_contraindication() -> None:
    result = screen(facts(contra=frozenset({"pregnancy"}), justifications={"pregnancy": "Wants it."}))
    assert result.outcome is ScreeningOutcome.INELIGIBLE


def test_absolute_beats_relative_and_all_findings_are_reported() -> None:
    result = screen(facts(codes=("F32.2",), contra=frozenset({"pregnancy", "active_sud"})))
    assert result.outcome is ScreeningOutcome.INELIGIBLE
    assert {r.code for r in result.reasons} >= {
        ReasonCode.DIAGNOSIS_NOT_CONFIRMED,
        ReasonCode.ABSOLUTE_CONTRAINDICATION,
        ReasonCode.RELATIVE_CONTRAINDICATION,
    }


def test_unknown_contraindication_code_is_refused() -> None:
    with pytest.raises(ClinicalError, match="Unknown contraindication code 'smoker'"):
        screen(facts(contra=frozenset({"smoker"})))


def test_justification_for_unknown_code_is_refused() -> None:
    with pytest.raises(ClinicalError, match="Unknown contraindication code"):
        screen(facts(justifications={"smoker": "fine"}))


def test_a_clinic_may_move_a_contraindication_to_absolute() -> None:
    policy = EligibilityPolicy(
        absolute=(Contraindication("psychosis_history", "History of psychosis"),),
        relative=(),
    )
    result = screen(facts(contra=frozenset({"psychosis_history"})), policy)
    assert result.outcome is ScreeningOutcome.INELIGIBLE


def test_policy_refuses_a_code_listed_twice() -> None:
    dup = Contraindication("pregnancy", "Pregnancy")
    with pytest.raises(ClinicalError, match="listed once: pregnancy"):
        EligibilityPolicy(absolute=(dup,), relative=(dup,))


# --- signing ----------------------------------------------------------------

def test_prescriber_may_sign_eligible() -> None:
    assert can_sign(screen(facts()), {})


def test_prescriber_may_not_sign_ineligible_even_with_justifications() -> None:
    result = screen(facts(contra=frozenset({"pregnancy"})))
    assert not can_sign(result, {"pregnancy": "reason"})


def test_needs_review_is_signable_once_every_relative_one_is_justified() -> None:
    result = screen(facts(contra=frozenset({"active_sud", "psychosis_history"})))
    assert result.outcome is ScreeningOutcome.NEEDS_REVIEW
    assert missing_justifications(result, {"active_sud": "Abstinent 2 years."}) == (
        "psychosis_history",
    )
    assert not can_sign(result, {"active_sud": "Abstinent 2 years."})
    assert can_sign(result, {"active_sud": "Abstinent 2 years.",
                             "psychosis_history": "Single episode 2009, none since."})


def test_can_sign_refuses_unknown_code_in_justifications() -> None:
    result = screen(facts(contra=frozenset({"active_sud"})))
    with pytest.raises(ClinicalError):
        can_sign(result, {"smoker": "fine"})


# --- properties ---------------------------------------------------------------

ALL_CODES = [c.code for c in (*EligibilityPolicy().absolute, *EligibilityPolicy().relative)]
trials_st = st.lists(
    st.builds(PriorTrial, name=st.just("trial"), kind=st.sampled_from(TrialKind),
              adequate=st.booleans(), outcome=st.sampled_from(TrialOutcome)),
    max_size=6,
).map(tuple)


@given(
    codes=st.lists(st.sampled_from(["F43.10", "F43.11", "F43.12", "F32.2", "F41.1"]),
                   max_size=3).map(tuple),
    trials=trials_st,
    contra=st.frozensets(st.sampled_from(ALL_CODES)),
)
def test_eligible_only_when_no_blocking_finding_and_no_unjustified_relative(
    codes: tuple[str, ...], trials: tuple[PriorTrial, ...], contra: frozenset[str]
) -> None:
    result = screen(ScreeningFacts(codes, trials, contra))
    found = {r.code for r in result.reasons}
    blocking = {ReasonCode.DIAGNOSIS_NOT_CONFIRMED, ReasonCode.TOO_FEW_FAILED_TRIALS,
                ReasonCode.ABSOLUTE_CONTRAINDICATION}
    if found & blocking:
        assert result.outcome is ScreeningOutcome.INELIGIBLE
        assert not can_sign(result, dict.fromkeys(ALL_CODES, "reason"))
    else:
        assert can_sign(result, dict.fromkeys(ALL_CODES, "reason"))
    assert (result.outcome is ScreeningOutcome.ELIGIBLE) == (not found & blocking and not contra)
