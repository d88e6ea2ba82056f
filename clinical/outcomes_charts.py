"""The outcome report's charts as inline SVG: Kaplan-Meier with numbers at risk, trajectory, cluster bars.

Same habits as clinical/charts.py: no script, no external asset, colours as
presentation attributes (Okabe-Ito), every text escaped, the same input
always gives the same string (safe under the strict CSP).
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

BLUE, ORANGE, GREEN, GREY = "#0072B2", "#D55E00", "#009E73", "#6b7280"
W, LEFT, RIGHT, TOP = 760, 56, 24, 28


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class TrialMark:
    """A published figure to mark on the curve's time axis (CLINICAL.md s1)."""

    days: float
    label: str


def at_risk_at(days: Sequence[float], at_risk: Sequence[int], ticks: Sequence[float]) -> list[int]:
    """Numbers at risk at each tick from a KM event table (at risk at the first listed time >= tick)."""
    out = []
    for tick in ticks:
        i = next((k for k, d in enumerate(days) if d >= tick), None)
        out.append(0 if i is None else int(at_risk[i]))
    return out


def _open(height: int, title: str, kind: str) -> list[str]:
    return [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {height}" role="img" '
            f'class="chart {kind}" aria-label="{_esc(title)}"><title>{_esc(title)}</title>',
            f'<text x="{LEFT}" y="16" font-size="13" font-weight="bold">{_esc(title)}</text>']


def _steps(xs: Sequence[float], ys: Sequence[float], sx: Any, sy: Any, x_end: float) -> list[tuple[float, float]]:
    pts: list[tuple[float, float]] = []
    for i, (x, y) in enumerate(zip(xs, ys, strict=True)):
        if i:
            pts.append((sx(x), sy(ys[i - 1])))
        pts.append((sx(x), sy(y)))
    if xs:
        pts.append((sx(x_end), sy(ys[-1])))
    return pts


def _path(pts: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{'M' if i == 0 else 'L'}{_n(x)},{_n(y)}" for i, (x, y) in enumerate(pts))


def km_chart(curve: dict[str, list[Any]], marks: Sequence[TrialMark], title: str, x_max_days: float = 112) -> str:
    """Survival (still responding) against days from the last infusion, 95% band, numbers at risk below."""
    plot_h, height = 220, 330
    days = [d for d in curve["days"] if d <= x_max_days]
    keep = len(days)
    x_end = max([x_max_days, *days]) if days else x_max_days

    def sx(d: float) -> float:
        return LEFT + (W - LEFT - RIGHT) * min(d, x_end) / x_end

    def sy(s: float) -> float:
        return TOP + plot_h * (1 - s)

    out = _open(height, title, "km")
    for s in (0.0, 0.25, 0.5, 0.75, 1.0):
        out.append(f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{_n(sy(s))}" y2="{_n(sy(s))}" stroke="#e5e7eb"/>'
                   f'<text x="{LEFT - 6}" y="{_n(sy(s) + 4)}" font-size="11" text-anchor="end">{s:.2f}</text>')
    if keep:
        upper = _steps(days, curve["high"][:keep], sx, sy, x_end)
        lower = _steps(days, curve["low"][:keep], sx, sy, x_end)
        band = upper + list(reversed(lower))
        out.append(f'<path d="{_path(band)} Z" fill="{BLUE}" fill-opacity="0.15" stroke="none" class="km-band"/>')
        out.append(f'<path d="{_path(_steps(days, curve["survival"][:keep], sx, sy, x_end))}" fill="none" '
                   f'stroke="{BLUE}" stroke-width="2" class="km-line"/>')
    for mark in marks:
        x = _n(sx(mark.days))
        out.append(f'<line x1="{x}" x2="{x}" y1="{TOP}" y2="{TOP + plot_h}" stroke="{ORANGE}" stroke-dasharray="4 3" '
                   f'class="trial-mark"/><text x="{x}" y="{TOP - 4}" font-size="11" text-anchor="middle" '
                   f'fill="{ORANGE}">{_esc(mark.label)}</text>')
    ticks = [float(t) for t in range(0, int(x_end) + 1, 14)]
    risk = at_risk_at(curve["days"], curve["at_risk"], ticks) if curve["days"] else [0] * len(ticks)
    base = TOP + plot_h
    out.append(f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{base}" y2="{base}" stroke="#111827"/>')
    out.append(f'<text x="{LEFT}" y="{base + 52}" font-size="11" text-anchor="end" dx="-6">At risk</text>')
    for tick, n in zip(ticks, risk, strict=True):
        x = _n(sx(tick))
        out.append(f'<text x="{x}" y="{base + 16}" font-size="11" text-anchor="middle">{int(tick)}</text>'
                   f'<text x="{x}" y="{base + 52}" font-size="11" text-anchor="middle" class="at-risk">{n}</text>')
    out.append(f'<text x="{W - RIGHT}" y="{base + 32}" font-size="11" text-anchor="end">days from the last infusion'
               '</text></svg>')
    return "".join(out)


def trajectory_chart(points: Sequence[tuple[str, dict[str, Any]]], title: str, y_max: float = 80) -> str:
    """Mean PCL-5 at each assessment point with its 95% band."""
    plot_h, height = 220, 290
    step = (W - LEFT - RIGHT) / max(len(points) - 1, 1)

    def sy(v: float) -> float:
        return TOP + plot_h * (1 - v / y_max)

    out = _open(height, title, "trajectory")
    for v in range(0, int(y_max) + 1, 20):
        out.append(f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{_n(sy(v))}" y2="{_n(sy(v))}" stroke="#e5e7eb"/>'
                   f'<text x="{LEFT - 6}" y="{_n(sy(v) + 4)}" font-size="11" text-anchor="end">{v}</text>')
    have = [(LEFT + i * step, m) for i, (_, m) in enumerate(points) if m["mean"] is not None]
    banded = [(x, m) for x, m in have if m["ci95"] is not None]
    if len(banded) > 1:
        up = [(x, sy(min(m["ci95"][1], y_max))) for x, m in banded]
        low = [(x, sy(max(m["ci95"][0], 0))) for x, m in reversed(banded)]
        out.append(f'<path d="{_path(up + low)} Z" fill="{GREEN}" fill-opacity="0.18" stroke="none" class="ci-band"/>')
    if have:
        out.append(f'<path d="{_path([(x, sy(m["mean"])) for x, m in have])}" fill="none" stroke="{GREEN}" '
                   f'stroke-width="2"/>')
        out += [f'<circle cx="{_n(x)}" cy="{_n(sy(m["mean"]))}" r="3.5" fill="{GREEN}"><title>{_n(m["mean"])} '
                f'(n={m["n"]})</title></circle>' for x, m in have]
    for i, (label, m) in enumerate(points):
        x = _n(LEFT + i * step)
        out.append(f'<text x="{x}" y="{TOP + plot_h + 18}" font-size="11" text-anchor="middle">{_esc(label)}</text>'
                   f'<text x="{x}" y="{TOP + plot_h + 34}" font-size="10" text-anchor="middle" fill="{GREY}">'
                   f'n={m["n"]}</text>')
    return "".join(out) + "</svg>"


def change_bars(bars: Sequence[tuple[str, dict[str, Any]]], title: str) -> str:
    """Mean change (points) per PCL-5 cluster with 95% whiskers; below zero is improvement."""
    plot_h, height = 200, 270
    values = [v for _, m in bars for v in ([m["mean"]] if m["mean"] is not None else []) + list(m["ci95"] or [])]
    low, high = min([-1.0, *values]), max([1.0, *values])
    span = high - low or 1.0

    def sy(v: float) -> float:
        return TOP + plot_h * (high - v) / span

    out = _open(height, title, "bars")
    zero = _n(sy(0))
    out.append(f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{zero}" y2="{zero}" stroke="#111827"/>'
               f'<text x="{LEFT - 6}" y="{_n(sy(0) + 4)}" font-size="11" text-anchor="end">0</text>'
               f'<text x="{LEFT - 6}" y="{_n(sy(low) + 4)}" font-size="11" text-anchor="end">{low:.0f}</text>')
    slot = (W - LEFT - RIGHT) / max(len(bars), 1)
    for i, (label, m) in enumerate(bars):
        x = LEFT + slot * i + slot * 0.25
        if m["mean"] is not None and math.isfinite(m["mean"]):
            top, bottom = sorted((sy(0), sy(m["mean"])))
            out.append(f'<rect x="{_n(x)}" y="{_n(top)}" width="{_n(slot * 0.5)}" height="{_n(bottom - top)}" '
                       f'fill="{BLUE}"><title>{_esc(label)}: {m["mean"]:+.1f}</title></rect>')
        if m["ci95"] is not None:
            cx = _n(x + slot * 0.25)
            out.append(f'<line x1="{cx}" x2="{cx}" y1="{_n(sy(m["ci95"][0]))}" y2="{_n(sy(m["ci95"][1]))}" '
                       f'stroke="#111827" class="whisker"/>')
        out.append(f'<text x="{_n(x + slot * 0.25)}" y="{TOP + plot_h + 18}" font-size="11" '
                   f'text-anchor="middle">{_esc(label)}</text>')
    return "".join(out) + "</svg>"
