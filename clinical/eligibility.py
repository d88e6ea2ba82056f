"""Screen a referral against the program's eligibility checklist.

The program treats PTSD that has not responded to adequate treatment. The
checklist has three parts, each a rule below with its source:

* a confirmed PTSD diagnosis: an ICD-10-CM code F43.10, F43.11 or F43.12
  (CLINICAL.md section 5); any other well-formed code does not confirm it;
* treatment resistance: at least ``min_failed_trials`` failed adequate
  trials (Policy, default 2, project eligibility issue);
* no absolute contraindication; each relative one needs a written
  justification from the prescriber (lists are Policy, defaults below).

Clinic setting defaults, decided for the eligibility issue:

* A trial counts as failed when the clinician marked it adequate (dose and
  duration) and its outcome is in ``failed_outcomes``: by default NONE and
  PARTIAL. INTOLERANCE is not counted by default: a trial stopped for side
  effects says nothing about whether the treatment works. UNKNOWN is not
  counted: an unverified failure cannot establish resistance. A clinic that
  wants either counted adds it to ``failed_outcomes``.
* Psychotherapy trials (CPT, PE, EMDR, ...) and medication trials both
  count: trauma-focused psychotherapy and SSRIs/SNRIs are both first-line
  treatments, so failing either is evidence of resistance.
* Absolute contraindications (never overridden): prior hypersensitivity to
  ketamine, pregnancy, raised intracranial pressure, unstable cardiovascular
  disease. Relative ones (prescriber may proceed with a written
  justification): history of psychosis, uncontrolled hypertension, active
  substance use disorder.

Too few failed trials makes a referral INELIGIBLE, not NEEDS_REVIEW: the
program exists for PTSD that did not respond, so this is not a judgement
call the checklist can hand to review.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from types import MappingProxyType

from clinical.errors import ClinicalError

# ICD-10-CM codes that confirm PTSD (CLINICAL.md section 5).
PTSD_ICD10CM_CODES = frozenset({"F43.10", "F43.11", "F43.12"})

_ICD10CM_FORMAT = re.compile(r"[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?")


class TrialKind(Enum):
    """What kind of prior treatment a trial was."""

    MEDICATION = "medication"
    PSYCHOTHERAPY = "psychotherapy"


class TrialOutcome(Enum):
    """How a prior treatment trial ended, as the clinician recorded it."""

    NONE = "none"
    PARTIAL = "partial"
    RESPONSE = "response"
    REMISSION = "remission"
    INTOLERANCE = "intolerance"
    UNKNOWN = "unknown"


class ScreeningOutcome(Enum):
    """The checklist's verdict."""

    ELIGIBLE = "eligible"
    NEEDS_REVIEW = "needs_review"
    INELIGIBLE = "ineligible"


class ReasonCode(Enum):
    """Why the checklist reached its verdict; one per finding."""

    DIAGNOSIS_CONFIRMED = "diagnosis_confirmed"
    DIAGNOSIS_NOT_CONFIRMED = "diagnosis_not_confirmed"
    TRIALS_MET = "trials_met"
    TOO_FEW_FAILED_TRIALS = "too_few_failed_trials"
    ABSOLUTE_CONTRAINDICATION = "absolute_contraindication"
    RELATIVE_CONTRAINDICATION = "relative_contraindication"
    RELATIVE_JUSTIFIED = "relative_justified"


@dataclass(frozen=True)
class Contraindication:
    """A contraindication the clinic screens for: a local code and its label."""

    code: str
    label: str

    def __post_init__(self) -> None:
        if not self.code.strip() or not self.label.strip():
            raise ClinicalError("A contraindication needs a code and a label.")


DEFAULT_ABSOLUTE = (
    Contraindication("ketamine_hypersensitivity", "Prior hypersensitivity to ketamine"),
    Contraindication("pregnancy", "Pregnancy"),
    Contraindication("raised_icp", "Raised intracranial pressure"),
    Contraindication("unstable_cardiovascular", "Unstable cardiovascular disease"),
)
DEFAULT_RELATIVE = (
    Contraindication("psychosis_history", "History of psychosis"),
    Contraindication("uncontrolled_hypertension", "Uncontrolled hypertension"),
    Contraindication("active_sud", "Active substance use disorder"),
)


@dataclass(frozen=True)
class EligibilityPolicy:
    """Clinic settings for the checklist (Policy, defaults per the eligibility issue)."""

    min_failed_trials: int = 2
    failed_outcomes: frozenset[TrialOutcome] = frozenset(
        {TrialOutcome.NONE, TrialOutcome.PARTIAL}
    )
    absolute: tuple[Contraindication, ...] = DEFAULT_ABSOLUTE
    relative: tuple[Contraindication, ...] = DEFAULT_RELATIVE

    def __post_init__(self) -> None:
        if self.min_failed_trials < 0:
            raise ClinicalError("The minimum number of failed trials cannot be negative.")
        if self.failed_outcomes & {TrialOutcome.RESPONSE, TrialOutcome.REMISSION}:
            raise ClinicalError("A trial ending in response or remission cannot count as failed.")
        codes = [c.code for c in (*self.absolute, *self.relative)]
        duplicates = sorted({c for c in codes if codes.count(c) > 1})
        if duplicates:
            raise ClinicalError(
                f"Contraindication codes must be listed once: {', '.join(duplicates)}."
            )

    def label_of(self, code: str) -> str:
        """Return the label of a contraindication code, refusing unknown codes."""
        for item in (*self.absolute, *self.relative):
            if item.code == code:
                return item.label
        raise ClinicalError(f"Unknown contraindication code {code!r}.")

    def is_absolute(self, code: str) -> bool:
        """Say whether a known code is an absolute contraindication."""
        self.label_of(code)
        return any(item.code == code for item in self.absolute)


@dataclass(frozen=True)
class PriorTrial:
    """One earlier treatment for PTSD, as the clinician recorded it."""

    name: str
    kind: TrialKind
    adequate: bool
    outcome: TrialOutcome

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ClinicalError("A prior trial needs the treatment's name.")


@dataclass(frozen=True)
class ScreeningFacts:
    """What the prescriber found at screening.

    ``contraindications`` holds the codes present; ``justifications`` maps a
    relative contraindication code to the prescriber's written reason to
    proceed despite it.
    """

    diagnosis_codes: tuple[str, ...]
    prior_trials: tuple[PriorTrial, ...] = ()
    contraindications: frozenset[str] = frozenset()
    justifications: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for code in self.diagnosis_codes:
            if not _ICD10CM_FORMAT.fullmatch(code):
                raise ClinicalError(
                    f"Diagnosis code {code!r} is not an ICD-10-CM code (expected e.g. F43.12)."
                )
        object.__setattr__(self, "justifications", MappingProxyType(dict(self.justifications)))


@dataclass(frozen=True)
class Reason:
    """One finding of the checklist: a code, a sentence, and what it is about."""

    code: ReasonCode
    text: str
    subject: str = ""


@dataclass(frozen=True)
class ScreeningResult:
    """The verdict, every finding behind it, and the policy it was reached under."""

    outcome: ScreeningOutcome
    reasons: tuple[Reason, ...]
    failed_trials: int
    relative_present: tuple[str, ...]
    justifications: Mapping[str, str]
    policy: EligibilityPolicy


def count_failed_trials(trials: tuple[PriorTrial, ...], policy: EligibilityPolicy) -> int:
    """Count adequate trials whose outcome the policy counts as failed (module docstring)."""
    return sum(1 for t in trials if t.adequate and t.outcome in policy.failed_outcomes)


def _diagnosis_reason(codes: tuple[str, ...]) -> Reason:
    # Confirmed PTSD = ICD-10-CM F43.10 / F43.11 / F43.12 (CLINICAL.md section 5).
    confirming = sorted(set(codes) & PTSD_ICD10CM_CODES)
    if confirming:
        return Reason(ReasonCode.DIAGNOSIS_CONFIRMED, f"PTSD confirmed ({', '.join(confirming)}).")
    shown = ", ".join(codes) if codes else "none recorded"
    return Reason(
        ReasonCode.DIAGNOSIS_NOT_CONFIRMED,
        f"No confirmed PTSD diagnosis (F43.10, F43.11 or F43.12); codes: {shown}.",
    )


def _trials_reason(failed: int, policy: EligibilityPolicy) -> Reason:
    # Treatment resistance: >= min_failed_trials failed adequate trials (Policy).
    needed = policy.min_failed_trials
    if failed >= needed:
        return Reason(ReasonCode.TRIALS_MET, f"{failed} failed adequate trial(s); {needed} needed.")
    return Reason(
        ReasonCode.TOO_FEW_FAILED_TRIALS,
        f"Only {failed} failed adequate trial(s); the program needs {needed}.",
    )


def _contraindication_reasons(facts: ScreeningFacts, policy: EligibilityPolicy) -> list[Reason]:
    reasons = []
    for code in sorted(facts.contraindications):
        label = policy.label_of(code)
        justification = facts.justifications.get(code, "").strip()
        if policy.is_absolute(code):
            text = f"Absolute contraindication: {label}; cannot be overridden."
            reasons.append(Reason(ReasonCode.ABSOLUTE_CONTRAINDICATION, text, code))
        elif justification:
            text = f"Relative contraindication: {label}; justified: {justification}"
            reasons.append(Reason(ReasonCode.RELATIVE_JUSTIFIED, text, code))
        else:
            text = f"Relative contraindication: {label}; needs a written justification."
            reasons.append(Reason(ReasonCode.RELATIVE_CONTRAINDICATION, text, code))
    return reasons


_BLOCKING = {
    ReasonCode.DIAGNOSIS_NOT_CONFIRMED,
    ReasonCode.TOO_FEW_FAILED_TRIALS,
    ReasonCode.ABSOLUTE_CONTRAINDICATION,
}


def screen(facts: ScreeningFacts, policy: EligibilityPolicy | None = None) -> ScreeningResult:
    """Apply the eligibility checklist, reporting every finding (module docstring rules)."""
    if policy is None:
        policy = EligibilityPolicy()
    for code in facts.justifications:
        policy.label_of(code)
    failed = count_failed_trials(facts.prior_trials, policy)
    reasons = [
        _diagnosis_reason(facts.diagnosis_codes),
        _trials_reason(failed, policy),
        *_contraindication_reasons(facts, policy),
    ]
    codes = {r.code for r in reasons}
    if codes & _BLOCKING:
        outcome = ScreeningOutcome.INELIGIBLE
    elif ReasonCode.RELATIVE_CONTRAINDICATION in codes:
        outcome = ScreeningOutcome.NEEDS_REVIEW
    else:
        outcome = ScreeningOutcome.ELIGIBLE
    relative = tuple(sorted(c for c in facts.contraindications if not policy.is_absolute(c)))
    return ScreeningResult(
        outcome, tuple(reasons), failed, relative, facts.justifications, policy
    )


def missing_justifications(
    result: ScreeningResult, justification_by_code: Mapping[str, str]
) -> tuple[str, ...]:
    """List relative contraindication codes still lacking a written justification."""
    for code in justification_by_code:
        result.policy.label_of(code)

    def justified(code: str) -> bool:
        given = (justification_by_code.get(code, ""), result.justifications.get(code, ""))
        return any(text.strip() for text in given)

    return tuple(code for code in result.relative_present if not justified(code))


def can_sign(result: ScreeningResult, justification_by_code: Mapping[str, str]) -> bool:
    """Say whether a prescriber may sign the screening as eligible.

    ELIGIBLE may be signed; NEEDS_REVIEW only with a written justification for
    each relative contraindication present; INELIGIBLE never.
    """
    if result.outcome is ScreeningOutcome.INELIGIBLE:
        return False
    return not missing_justifications(result, justification_by_code)
