"""The course planner: CP-SAT against first-come-first-served greedy on the same congested instances.

Run alone with `.venv/bin/python bench/planner.py`, or as part of `make bench`. Figures are printed, never
asserted. KETACARE_BENCH_PLANNER_SECONDS sets CP-SAT's limit per congested instance (default 15);
KETACARE_BENCH_PLANNER_BIG=0 skips the 1,000-session case (default on, limit 55 s).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scheduling.planner import Plan, parse_instance, plan_greedy, plan_instance, plan_kpis, validate_plan  # noqa: E402
from scheduling.planner.kpis import first_waits_days  # noqa: E402
from scheduling.planner.synthetic import synthetic_instance  # noqa: E402

# (chairs, nurses, requests): 4 weeks, weekends closed, releases in the first week, demand above capacity
CONGESTED = ((2, 2, 22), (3, 2, 32), (4, 3, 44), (6, 4, 64))
# Demand above what the patients' windows let 8 chairs take: about 170 of the 230 courses fit (1,000+ sessions).
BIG = {"chairs": 8, "nurses": 8, "requests": 230, "days": 56, "release_days": 28}


def _mean(values: list[int]) -> float:
    return sum(values) / len(values) if values else float("nan")


def _row(label: str, inst, greedy: Plan, greedy_s: float, cpsat: Plan) -> None:
    g, c = plan_kpis(inst, greedy), plan_kpis(inst, cpsat)
    gw, cw = first_waits_days(inst, greedy), first_waits_days(inst, cpsat)
    both = gw.keys() & cw.keys()
    common_g, common_c = _mean([gw[r] for r in both]), _mean([cw[r] for r in both])
    cut = 1 - c["mean_first_wait_days"] / g["mean_first_wait_days"] if g["mean_first_wait_days"] else float("nan")
    valid = "yes" if not validate_plan(inst, cpsat.sessions) and not validate_plan(inst, greedy.sessions) else "NO"
    print(f"{label:<24} {len(inst.requests):>4} {g['scheduled']:>6} {c['scheduled']:>6} {len(cpsat.sessions):>6}"
          f" {g['mean_first_wait_days']:>7.2f} {c['mean_first_wait_days']:>7.2f} {cut:>6.0%}"
          f" {common_g:>7.2f} {common_c:>7.2f} {g['chair_utilisation']:>6.2f} {c['chair_utilisation']:>6.2f}"
          f" {valid:>5} {greedy_s:>6.1f} {cpsat.solve_seconds:>6.1f} {cpsat.status}")


def _run(label: str, raw: dict, seconds: float) -> None:
    inst = parse_instance(raw)
    began = time.perf_counter()
    greedy = plan_greedy(inst)
    greedy_s = time.perf_counter() - began
    _row(label, inst, greedy, greedy_s, plan_instance(inst, seconds=seconds))


def bench_planner() -> None:
    seconds = float(os.environ.get("KETACARE_BENCH_PLANNER_SECONDS", "15"))
    print(f"\ncourse planner: CP-SAT ({seconds:g} s: whole model from the greedy plan, then LNS) vs first-come-first-served greedy")
    print(f"{'instance':<24} {'req':>4} {'g.sch':>6} {'cp.sch':>6} {'cp.ses':>6} {'g.wait':>7} {'cp.wait':>7}"
          f" {'cut':>6} {'g.both':>7} {'cp.both':>7} {'g.util':>6} {'cp.util':>6} {'valid':>5} {'g.s':>6}"
          f" {'cp.s':>6} status")
    for chairs, nurses, requests in CONGESTED:
        raw = synthetic_instance(seed=chairs, chairs=chairs, nurses=nurses, requests=requests, release_days=5)
        _run(f"{chairs} chairs {nurses} nurses 4 wk", raw, seconds)
    if os.environ.get("KETACARE_BENCH_PLANNER_BIG", "1") != "0":
        _run("8 chairs 230 req 8 wk", synthetic_instance(seed=8, **BIG), 55.0)
    print("wait = mean days from release to first infusion over scheduled requests; 'both' = over the requests "
          "both plans schedule; cut = CP-SAT's wait below greedy's; valid = the independent validator passes")


if __name__ == "__main__":
    bench_planner()
