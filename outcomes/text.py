"""The outcome report as plain lines (the CLI without --json) and as short labels for the page."""

from __future__ import annotations

from typing import Any


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def proportion_text(p: dict[str, Any]) -> str:
    """'k of n (rate, 95% CI low-high)', saying "too few to compare" below the minimum n."""
    if not p["n"]:
        return "none yet: too few to compare"
    low, high = p["ci95"]
    text = f"{p['k']} of {p['n']} ({pct(p['rate'])}, 95% CI {pct(low)}-{pct(high)})"
    return text + ("; too few to compare" if p.get("too_few") else "")


def mean_text(m: dict[str, Any]) -> str:
    if not m["n"]:
        return "none yet"
    ci = "" if m["ci95"] is None else f", 95% CI {m['ci95'][0]:.1f} to {m['ci95'][1]:.1f}"
    return f"{m['mean']:+.1f} points (n={m['n']}{ci})" + ("; too few to compare" if m.get("too_few") else "")


def days_text(km: dict[str, Any]) -> str:
    if not km["n"]:
        return "none yet"
    median = "not reached" if km["median_days"] is None else f"{km['median_days']:.0f} days"
    ci = km["ci95"] or [None, None]
    bounds = "-".join("not reached" if v is None else f"{v:.0f}" for v in ci)
    return f"median {median} (95% CI {bounds}); {km['events']} events among {km['n']}"


def per_100(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def summary_lines(report: dict[str, Any]) -> list[str]:
    """The report in a few lines for a terminal."""
    c, s = report["courses"], report["safety"]
    lines = [report["definitions"]["text"],
             f"Courses: {c['started']} started, {c['active']} active, {c['completed']} completed, {c['stopped']} stopped"]
    for key, label in (("response_end_of_course", "Response"), ("remission_end_of_course", "Remission")):
        lines.append(f"{label} at end of course: ITT {proportion_text(report[key]['itt'])}; "
                     f"completers {proportion_text(report[key]['completers'])}")
    lines.append(f"Change at end of course: {mean_text(report['change_end_of_course'])}")
    lines.append("Clusters: " + "; ".join(f"{k} {mean_text(v)}" for k, v in report["clusters_end_of_course"].items()))
    lines.append(f"Durability (from the last infusion): {days_text(report['durability'])}")
    lines.append(f"Time to first response: {days_text(report['time_to_first_response'])}")
    lines.append(f"Safety per 100 of {s['infusions']} infusions: BP surge {per_100(s['bp_surge_per_100'])}, "
                 f"AE {per_100(s['ae_per_100'])}, serious AE {per_100(s['serious_ae_per_100'])}, "
                 f"paused {per_100(s['paused_per_100'])}, stopped early {per_100(s['stopped_early_per_100'])}, "
                 f"transferred {per_100(s['transferred_per_100'])}; mean peak CADSS {s['mean_peak_cadss']}")
    lines.append("Follow-up completeness: " + "; ".join(
        f"{k} {proportion_text(v)}" for k, v in report["followup_completeness"].items()))
    return lines
