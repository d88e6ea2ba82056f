"""The baseline for the outcome engine's benchmark: the same report with pandas + lifelines.

Vectorised pandas (group-bys and merges, no Python loop per course) and
lifelines on one row per course, as an analyst would write it. It must
print the engine's figures; bench/outcomes_bench.py checks that it does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from clinical.outcomes_report import ReportDefinitions
from clinical.outcomes_rules import (
    FOLLOW_UPS,
    SECONDARY_RULES,
    SURVIVAL_DAYS,
    TRAJECTORY_POINTS,
    InstrumentRule,
)
from clinical.outcomes_stats import mean_ci, proportion


def _km(times: pd.Series, events: pd.Series, min_n: int) -> dict[str, Any]:
    import warnings

    from lifelines import KaplanMeierFitter
    from lifelines.utils import median_survival_times

    n, k = int(times.size), int(events.sum())
    if n == 0:
        return {"n": 0, "events": 0, "median_days": None, "ci95": None,
                "survival_at": {str(d): None for d in SURVIVAL_DAYS}, "too_few": True}
    kmf = KaplanMeierFitter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kmf.fit(times.to_numpy(), events.to_numpy())
    ci = median_survival_times(kmf.confidence_interval_).iloc[0]
    fix = [None if not np.isfinite(v) else round(float(v), 6) for v in (kmf.median_survival_time_, *ci)]
    at = kmf.survival_function_at_times(list(SURVIVAL_DAYS))
    return {"n": n, "events": k, "median_days": fix[0], "ci95": fix[1:],
            "survival_at": {str(d): round(float(v), 6) for d, v in zip(SURVIVAL_DAYS, at, strict=True)},
            "too_few": n < min_n}


def _responds(base: pd.Series, value: pd.Series, rule: InstrumentRule) -> pd.Series:
    drop = base - value
    ok = (base > 0) & (drop * 100 >= rule.response_pct * base)
    if rule.points_drop is not None:
        ok |= drop >= rule.points_drop
    return ok


def _mean(values: pd.Series, min_n: int) -> dict[str, Any]:
    v = values.dropna().astype(float)
    return mean_ci(int(v.size), float(v.sum()), float((v * v).sum()), min_n)


def _facts(courses: pd.DataFrame, a: pd.DataFrame, rule: InstrumentRule) -> pd.DataFrame:
    mine = a[a.instrument == rule.instrument]
    base = mine[mine.point == "baseline"].sort_values("k").drop_duplicates(["clinic", "course"], keep="last")
    eoc = mine[mine.point == "end_of_course"].sort_values("k").drop_duplicates(["clinic", "course"], keep="first")
    p24 = mine[mine.point == "post_first_24h"].sort_values("k").drop_duplicates(["clinic", "course"], keep="first")
    cols = ["clinic", "course", "total", "b", "c", "d", "e", "k", "day"]
    f = courses.merge(base[cols], on=["clinic", "course"], how="left")
    f = f.merge(eoc[cols], on=["clinic", "course"], how="left", suffixes=("", "_eoc"))
    f = f.merge(p24[["clinic", "course", "total"]].rename(columns={"total": "p24"}), on=["clinic", "course"], how="left")
    has_base, has_eoc = f.total.notna(), f.total_eoc.notna()
    f["in_itt"] = (f.status != "active") & has_base
    f["in_completers"] = (f.status == "completed") & has_base & has_eoc
    f["responder"] = has_base & has_eoc & _responds(f.total, f.total_eoc, rule)
    f["eligible"] = has_base & (f.total >= rule.remission_below)
    f["remitted"] = f.eligible & has_eoc & (f.total_eoc < rule.remission_below)
    return f


def _blocks(f: pd.DataFrame, min_n: int) -> dict[str, Any]:
    itt, done = f[f.in_itt], f[f.in_completers]
    return {
        "response_end_of_course": {"itt": proportion(int(itt.responder.sum()), len(itt), min_n),
                                   "completers": proportion(int(done.responder.sum()), len(done), min_n)},
        "remission_end_of_course": {
            "itt": proportion(int(itt.remitted.sum()), int(itt.eligible.sum()), min_n),
            "completers": proportion(int(done.remitted.sum()), int(done.eligible.sum()), min_n)},
        "change_end_of_course": _mean(f.total_eoc - f.total, min_n),
    }


def _durability(f: pd.DataFrame, a: pd.DataFrame, rule: InstrumentRule, min_n: int) -> dict[str, Any]:
    r = f[f.in_itt & f.responder][["clinic", "course", "total", "k_eoc", "day_eoc", "last_infusion_day"]]
    later = a[a.instrument == rule.instrument][["clinic", "course", "day", "total", "k"]].merge(
        r, on=["clinic", "course"], suffixes=("", "_base"))
    later = later[later.day > later.day_eoc.clip(lower=0)]
    lost = later[~_responds(later.total_base, later.total, rule)].groupby(["clinic", "course"]).day.min()
    last = later.groupby(["clinic", "course"]).day.max()
    r = r.set_index(["clinic", "course"])
    r["lost"], r["last"] = lost, last
    end = r.lost.fillna(r["last"]).fillna(r.day_eoc)
    return _km(end - r.last_infusion_day.fillna(0), r.lost.notna(), min_n)


def _first_response(f: pd.DataFrame, a: pd.DataFrame, rule: InstrumentRule, min_n: int) -> dict[str, Any]:
    b = f[f.total.notna()][["clinic", "course", "total"]]
    after = a[(a.instrument == rule.instrument) & (a.day > 0)][["clinic", "course", "day", "total"]].merge(
        b, on=["clinic", "course"], suffixes=("", "_base"))
    hit = after[_responds(after.total_base, after.total, rule)].groupby(["clinic", "course"]).day.min()
    last = after.groupby(["clinic", "course"]).day.max()
    frame = pd.DataFrame({"last": last})
    frame["hit"] = hit
    return _km(frame.hit.fillna(frame["last"]), frame.hit.notna(), min_n)


def _safety(i: pd.DataFrame, defs: ReportDefinitions, min_n: int) -> dict[str, Any]:
    n = len(i)
    surge = (i.peak_sbp >= defs.surge_sbp_mmhg) | (i.peak_dbp >= defs.surge_dbp_mmhg)

    def per_100(count: Any) -> float | None:
        return round(int(count) * 100 / n, 6) if n else None

    return {"infusions": n, "bp_surge_per_100": per_100(surge.sum()), "ae_per_100": per_100(i.ae_count.sum()),
            "serious_ae_per_100": per_100(i.ae_serious.sum()), "stopped_early_per_100": per_100(i.stopped_early.sum()),
            "transferred_per_100": per_100(i.transferred.sum()), "paused_per_100": per_100(i.paused.sum()),
            "mean_peak_cadss": round(float(i.peak_cadss.mean()), 6),
            "sbp_rise": _mean(i.peak_sbp - i.baseline_sbp, 1), "dbp_rise": _mean(i.peak_dbp - i.baseline_dbp, 1),
            "surges_in_first_three": proportion(int((surge & (i.n <= 3)).sum()), int(surge.sum()), min_n)}


def report(directory: Path, defs: ReportDefinitions) -> dict[str, Any]:
    """The engine's figures, the pandas way, from one Parquet export directory."""
    courses = pd.read_parquet(directory / "courses.parquet")
    a = pd.read_parquet(directory / "assessments.parquet")
    infusions = pd.read_parquet(directory / "infusions.parquet")
    a["k"] = a.day.astype("int64") * 1_000_000 + a.seq
    min_n, rule = defs.min_n, defs.rule
    f = _facts(courses, a, rule)
    pcl5 = a[a.instrument == "pcl5"]
    firsts = pcl5[pcl5.point.isin(TRAJECTORY_POINTS)].sort_values("k").drop_duplicates(
        ["clinic", "course", "point"], keep="first")
    done = courses[courses.status == "completed"][["clinic", "course"]]
    follow = pcl5[pcl5.point.isin(FOLLOW_UPS)][["clinic", "course", "point"]].drop_duplicates()
    follow = follow.merge(done, on=["clinic", "course"])
    return {
        "courses": {"started": len(courses), **{s: int((courses.status == s).sum())
                                                for s in ("active", "completed", "stopped")}},
        **_blocks(f, min_n),
        "clusters_end_of_course": {x.upper(): _mean(f[f"{x}_eoc"] - f[x], min_n) for x in "bcde"},
        "change_24h": _mean(f.p24 - f.total, min_n),
        "durability": _durability(f, a, rule, min_n),
        "time_to_first_response": _first_response(f, a, rule, min_n),
        "safety": _safety(infusions, defs, min_n),
        "followup_completeness": {p: proportion(int((follow.point == p).sum()), len(done), min_n) for p in FOLLOW_UPS},
        "trajectory_pcl5": {"baseline": _mean(f.total, min_n),
                            **{p: _mean(f.merge(firsts[firsts.point == p][["clinic", "course", "total"]],
                                                on=["clinic", "course"], suffixes=("_b", ""))["total"], min_n)
                               for p in TRAJECTORY_POINTS[1:]}},
        "secondary": {r.instrument: _blocks(_facts(courses, a, r), min_n) for r in SECONDARY_RULES
                      if (a.instrument == r.instrument).any()},
    }
