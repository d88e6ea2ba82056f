"""The report's statistics from kept libraries: Wilson proportions, t intervals, Kaplan-Meier.

Proportions carry Wilson 95% intervals and say "too few to compare" below the
clinic's minimum n (CLINICAL.md s1); mean change carries a t-based 95%
interval (scipy); durability and time to first response are Kaplan-Meier
estimates with their 95% intervals (lifelines), the median null when
survival never falls to one half ("not reached", CLINICAL.md s4). Inputs are
plain numbers, so the engine can hand over aggregated counts.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from clinical.outcomes import proportion_ci
from clinical.outcomes_rules import SURVIVAL_DAYS

ROUND = 6  # decimals kept in report figures, so equal inputs print equal reports


def _r(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), ROUND)


def proportion(k: int, n: int, min_n: int) -> dict[str, Any]:
    """k of n with its Wilson 95% interval; ``too_few`` below the clinic's minimum n."""
    if n == 0:
        return {"k": 0, "n": 0, "rate": None, "ci95": None, "too_few": True}
    p = proportion_ci(k, n)
    return {"k": k, "n": n, "rate": _r(p.estimate), "ci95": [_r(p.low), _r(p.high)], "too_few": n < min_n}


def mean_ci(n: int, total: float, total_sq: float, min_n: int = 1) -> dict[str, Any]:
    """Mean with a t-based 95% interval from n, the sum and the sum of squares."""
    from scipy import stats

    if n == 0:
        return {"n": 0, "mean": None, "ci95": None, "too_few": True}
    mean = total / n
    if n < 2:
        return {"n": n, "mean": _r(mean), "ci95": None, "too_few": n < min_n}
    variance = max((total_sq - n * mean * mean) / (n - 1), 0.0)
    half = float(stats.t.ppf(0.975, n - 1)) * math.sqrt(variance / n)
    return {"n": n, "mean": _r(mean), "ci95": [_r(mean - half), _r(mean + half)], "too_few": n < min_n}


def mean_ci_of(values: Sequence[float], min_n: int = 1) -> dict[str, Any]:
    """mean_ci over a list of values."""
    return mean_ci(len(values), float(sum(values)), float(sum(v * v for v in values)), min_n)


@dataclass(frozen=True)
class TimeCount:
    """``count`` courses with this time (days) and event flag."""

    days: int
    event: bool
    count: int = 1


def _fit(times: Sequence[TimeCount]) -> Any:
    from lifelines import KaplanMeierFitter

    kmf = KaplanMeierFitter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kmf.fit([t.days for t in times], [t.event for t in times], weights=[t.count for t in times])
    return kmf


def _median_ci(kmf: Any) -> list[float | None]:
    from lifelines.utils import median_survival_times

    frame = median_survival_times(kmf.confidence_interval_)
    low, high = (float(v) for v in frame.iloc[0])
    return [_r(low), _r(high)]


def kaplan_meier(times: Sequence[TimeCount], min_n: int = 1) -> dict[str, Any]:
    """n, events, the KM median (null when not reached) with its 95% CI, and S(t) at 28, 56, 84 days."""
    return kaplan_meier_with_curve(times, min_n)[0]


def kaplan_meier_with_curve(times: Sequence[TimeCount], min_n: int = 1) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    """The summary and the curve (steps, 95% band, numbers at risk) from one fit."""
    n = sum(t.count for t in times)
    events = sum(t.count for t in times if t.event)
    empty: dict[str, Any] = {"n": n, "events": events, "median_days": None, "ci95": None,
                             "survival_at": {str(d): None for d in SURVIVAL_DAYS}, "too_few": n < min_n}
    if n == 0:
        return empty, {"days": [], "survival": [], "low": [], "high": [], "at_risk": []}
    kmf = _fit(times)
    at = kmf.survival_function_at_times(list(SURVIVAL_DAYS))
    summary = {**empty, "median_days": _r(kmf.median_survival_time_), "ci95": _median_ci(kmf),
               "survival_at": {str(d): _r(v) for d, v in zip(SURVIVAL_DAYS, at, strict=True)}}
    return summary, _curve(kmf)


def kaplan_meier_curve(times: Sequence[TimeCount]) -> dict[str, list[Any]]:
    """The survival steps with their 95% band and the numbers at risk, for the page's chart."""
    return kaplan_meier_with_curve(times)[1]


def _curve(kmf: Any) -> dict[str, list[Any]]:
    ci = kmf.confidence_interval_
    table = kmf.event_table
    return {
        "days": [float(d) for d in kmf.survival_function_.index],
        "survival": [float(v) for v in kmf.survival_function_.iloc[:, 0]],
        "low": [float(v) for v in ci.iloc[:, 0]], "high": [float(v) for v in ci.iloc[:, 1]],
        "at_risk": [int(v) for v in table["at_risk"]],
    }
