"""Decision rules over complete answers, and verdicts that survive missing answers.

With missing answers a verdict is worked out twice, once with every missing
answer at its lowest value and once at its highest. Every rule here only
grows as answers grow, so when both agree no completion can change the
verdict and it is reported; otherwise it is None (undetermined).
"""

from collections.abc import Callable
from typing import TypeVar

from clinical.instruments.model import ClusterRule, Instrument, RiskLevel, RiskRule
from clinical.instruments.validation import Answers, is_enabled

T = TypeVar("T")


def fill_missing(instrument: Instrument, answers: Answers, *, highest: bool) -> Answers:
    """Return the answers with every askable blank set to its lowest or highest value."""
    filled: list[int | None] = list(answers)
    for pos, item in enumerate(instrument.items):
        # Skip logic refers to earlier items, so one ordered pass settles it.
        if not is_enabled(instrument, item, tuple(filled)):
            filled[pos] = None
        elif filled[pos] is None:
            filled[pos] = item.max_value if highest else item.min_value
    return tuple(filled)


def bounded(instrument: Instrument, answers: Answers, rule: Callable[[Answers], T]) -> T | None:
    """Return the rule's verdict if no completion of the blanks could change it, else None."""
    low = rule(fill_missing(instrument, answers, highest=False))
    high = rule(fill_missing(instrument, answers, highest=True))
    return low if low == high else None


def meets_cluster_rule(instrument: Instrument, rule: ClusterRule, answers: Answers) -> bool:
    """Apply the DSM-5 cluster rule (CLINICAL.md s4, PCL-5 and CAPS-5 rows)."""
    for sub in instrument.subscales:
        needed = rule.minimum_per_subscale.get(sub.id, 0)
        endorsed = sum(
            1 for item_id in sub.item_ids if _value(instrument, answers, item_id) >= rule.endorsed_at
        )
        if endorsed < needed:
            return False
    return all(_value(instrument, answers, item_id) == 1 for item_id in rule.also_yes)


def risk_level(instrument: Instrument, rule: RiskRule, answers: Answers) -> RiskLevel:
    """Return the worst level among items answered yes (CLINICAL.md s4, C-SSRS row)."""
    levels = [
        level for item_id, level in rule.level_if_yes.items() if answers[instrument.position(item_id)] == 1
    ]
    return max(levels, default=RiskLevel.NONE)


def _value(instrument: Instrument, answers: Answers, item_id: str) -> int:
    value = answers[instrument.position(item_id)]
    return -1 if value is None else value
