"""Render score and vital-sign charts as inline SVG strings.

No script, no external asset, no clock: the same input always gives the same
string, safe to embed in a page under a strict Content-Security-Policy. All
text is escaped, and characters XML cannot carry are replaced by U+FFFD.
Colours come from CSS classes (``series-0``, ``segment-1``, ...) with a
colour-blind-safe default (Okabe-Ito) as a presentation attribute, so a chart
renders without CSS. Date labels use the time zone of ``x_min``.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from clinical.errors import ClinicalError

PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
LEFT, RIGHT, TOP, BOTTOM = 52, 24, 44, 34  # plot margins, px
MAX_X_TICKS = 8
MIN_Y_SPAN = 1e-6  # narrower value ranges carry no clinical meaning

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_CSS_CLASS = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*( [A-Za-z_][A-Za-z0-9_-]*)*")
_COLOUR = re.compile(r"#[0-9A-Fa-f]{3}([0-9A-Fa-f]{3})?|[a-z]+")


_WHITESPACE_REFS = str.maketrans({"\t": "&#9;", "\n": "&#10;", "\r": "&#13;"})


def _esc(text: str) -> str:
    """Escape text for an element or attribute so a parser reads back exactly this text."""
    return html.escape(_NOT_XML.sub("\ufffd", text), quote=True).translate(_WHITESPACE_REFS)


def _check_style(css_class: str, colour: str) -> None:
    if css_class and not _CSS_CLASS.fullmatch(css_class):
        raise ClinicalError(f"{css_class!r} is not a CSS class name.")
    if colour and not _COLOUR.fullmatch(colour):
        raise ClinicalError(f"{colour!r} is not a colour (use #rgb, #rrggbb or a name).")


def _check_aware(value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ClinicalError(f"Chart time {value.isoformat()} must carry a time zone.")


def _check_number(value: float) -> None:
    if not math.isfinite(value):
        raise ClinicalError(f"Chart value {value!r} is not a finite number.")


@dataclass(frozen=True)
class Series:
    """A named line of (time, value) points."""

    name: str
    points: tuple[tuple[datetime, float], ...]
    css_class: str = ""
    colour: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "points", tuple(sorted(self.points, key=lambda p: p[0])))
        _check_style(self.css_class, self.colour)
        for at, value in self.points:
            _check_aware(at)
            _check_number(value)


@dataclass(frozen=True)
class VerticalMarker:
    """A labelled vertical line at a time, e.g. an infusion."""

    at: datetime
    label: str

    def __post_init__(self) -> None:
        _check_aware(self.at)


@dataclass(frozen=True)
class HorizontalLine:
    """A labelled dashed line at a value, e.g. a cut-point or the baseline."""

    value: float
    label: str
    css_class: str = ""
    colour: str = "#555555"

    def __post_init__(self) -> None:
        _check_number(self.value)
        _check_style(self.css_class, self.colour)


@dataclass(frozen=True)
class Segment:
    """One stacked part of every bar, e.g. a PCL-5 cluster."""

    name: str
    css_class: str = ""
    colour: str = ""

    def __post_init__(self) -> None:
        _check_style(self.css_class, self.colour)


@dataclass(frozen=True)
class StackedBar:
    """One bar: a label and one value per segment, bottom first."""

    label: str
    values: tuple[float, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", tuple(self.values))
        for value in self.values:
            _check_number(value)
            if value < 0:
                raise ClinicalError(f"Bar {self.label!r}: values cannot be negative.")


@dataclass(frozen=True)
class _Frame:
    width: int
    height: int
    y_min: float
    y_max: float

    @property
    def plot_w(self) -> float:
        return self.width - LEFT - RIGHT

    @property
    def plot_h(self) -> float:
        return self.height - TOP - BOTTOM

    def y(self, value: float) -> float:
        return TOP + self.plot_h * (self.y_max - value) / (self.y_max - self.y_min)


def _num(value: float) -> str:
    return f"{value:.1f}"


def _frame(width: int, height: int, y_min: float, y_max: float) -> _Frame:
    _check_number(y_min)
    _check_number(y_max)
    if not y_max - y_min >= MIN_Y_SPAN or not math.isfinite(y_max - y_min):
        raise ClinicalError(f"The chart's y_max must be at least {MIN_Y_SPAN:g} above y_min.")
    if width < LEFT + RIGHT + 40 or height < TOP + BOTTOM + 40:
        raise ClinicalError(f"A chart needs at least {LEFT + RIGHT + 40} x {TOP + BOTTOM + 40} px.")
    return _Frame(width, height, y_min, y_max)


def _colour(explicit: str, position: int) -> str:
    return explicit or PALETTE[position % len(PALETTE)]


def _classes(base: str, extra: str) -> str:
    return f"{base} {extra}" if extra else base


def _open(frame: _Frame, title: str, kind: str) -> list[str]:
    label = _esc(title)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {kind}" role="img" '
        f'aria-label="{label}" width="{frame.width}" height="{frame.height}" '
        f'viewBox="0 0 {frame.width} {frame.height}" font-family="sans-serif" font-size="11">',
        f"<title>{label}</title>",
        f'<text class="chart-title" x="{LEFT}" y="16" font-size="13" font-weight="bold">{label}</text>',
    ]


def _legend(entries: Sequence[tuple[str, str, str]]) -> list[str]:
    """Draw (name, class, colour) swatches in a row under the title."""
    parts, x = ['<g class="legend">'], float(LEFT)
    for name, css, colour in entries:
        parts.append(f'<rect class="{css}" x="{_num(x)}" y="24" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{_num(x + 14)}" y="33">{_esc(name)}</text>')
        x += 28 + 7 * len(name)
    parts.append("</g>")
    return parts


def _nice_step(span: float, target: int = 5) -> float:
    raw = span / target
    magnitude = 10.0 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)


def _value_label(value: float, step: float) -> str:
    decimals = max(0, -math.floor(math.log10(step)))
    return f"{value + 0.0:.{decimals}f}"


def _y_axis(frame: _Frame, y_label: str) -> list[str]:
    step = _nice_step(frame.y_max - frame.y_min)
    parts = ['<g class="axis y-axis">']
    right = _num(LEFT + frame.plot_w)
    for k in range(math.ceil(frame.y_min / step), math.floor(frame.y_max / step) + 1):
        y = _num(frame.y(k * step))
        parts.append(f'<line x1="{LEFT}" y1="{y}" x2="{right}" y2="{y}" stroke="#dddddd"/>')
        parts.append(f'<text x="{LEFT - 4}" y="{y}" text-anchor="end" dominant-baseline="middle">'
                     f"{_value_label(k * step, step)}</text>")
    mid = _num(TOP + frame.plot_h / 2)
    parts.append(f'<text class="axis-label" transform="rotate(-90)" x="-{mid}" y="12" '
                 f'text-anchor="middle">{_esc(y_label)}</text>')
    parts.append(f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{_num(TOP + frame.plot_h)}" stroke="#333333"/>')
    parts.append("</g>")
    return parts


def _date_ticks(x_min: datetime, x_max: datetime) -> list[tuple[datetime, str]]:
    span_days = (x_max - x_min).total_seconds() / 86400
    if span_days <= 2:
        step_h = next(s for s in (1, 2, 3, 6, 12) if span_days * 24 / s <= MAX_X_TICKS)
        hour = x_min.replace(minute=0, second=0, microsecond=0)
        hours = (hour + timedelta(hours=i) for i in range(50))
        return [(h, f"{h.hour:02d}:00") for h in hours if x_min <= h <= x_max and h.hour % step_h == 0]
    step = next((s for s in (1, 2, 7, 14) if span_days / s <= MAX_X_TICKS), math.ceil(span_days / MAX_X_TICKS))
    with_year = x_min.year != x_max.astimezone(x_min.tzinfo).year or step > 14
    day: date = x_min.date() + timedelta(days=1 if x_min.time() != time(0) else 0)
    ticks = []
    while (at := datetime.combine(day, time(0), tzinfo=x_min.tzinfo)) <= x_max:
        label = f"{day.day} {MONTHS[day.month - 1]}" + (f" {day.year}" if with_year else "")
        ticks.append((at, label))
        day += timedelta(days=step)
    return ticks


def _x_scale(x_min: datetime, x_max: datetime) -> tuple[float, float]:
    return x_min.timestamp(), x_max.timestamp() - x_min.timestamp()


def _x(frame: _Frame, scale: tuple[float, float], at: datetime) -> float:
    start, span = scale
    return LEFT + frame.plot_w * (at.timestamp() - start) / span


def _x_axis(frame: _Frame, x_min: datetime, x_max: datetime) -> list[str]:
    scale, bottom = _x_scale(x_min, x_max), TOP + frame.plot_h
    parts = ['<g class="axis x-axis">',
             f'<line x1="{LEFT}" y1="{_num(bottom)}" x2="{_num(LEFT + frame.plot_w)}" '
             f'y2="{_num(bottom)}" stroke="#333333"/>']
    for at, label in _date_ticks(x_min, x_max):
        x = _num(_x(frame, scale, at))
        parts.append(f'<line x1="{x}" y1="{_num(bottom)}" x2="{x}" y2="{_num(bottom + 4)}" stroke="#333333"/>')
        parts.append(f'<text x="{x}" y="{_num(bottom + 16)}" text-anchor="middle">{_esc(label)}</text>')
    parts.append("</g>")
    return parts


def _check_in_range(at: datetime, value: float, x_min: datetime, x_max: datetime, frame: _Frame) -> None:
    if not x_min <= at <= x_max or not frame.y_min <= value <= frame.y_max:
        raise ClinicalError(f"Point ({at.isoformat()}, {value}) lies outside the chart's range.")


def _series(frame: _Frame, scale: tuple[float, float], series: Series, position: int) -> list[str]:
    css = _classes(f"series series-{position}", series.css_class)
    colour = _colour(series.colour, position)
    xy = [(_x(frame, scale, at), frame.y(value)) for at, value in series.points]
    parts = [f'<g class="{css}">']
    if len(xy) > 1:
        coords = " ".join(f"{_num(x)},{_num(y)}" for x, y in xy)
        parts.append(f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2"/>')
    for (x, y), (at, value) in zip(xy, series.points, strict=True):
        tip = _esc(f"{series.name}: {value:g} on {at.strftime('%Y-%m-%d %H:%M')}")
        parts.append(f'<circle cx="{_num(x)}" cy="{_num(y)}" r="3" fill="{colour}"><title>{tip}</title></circle>')
    parts.append("</g>")
    return parts


def _marker(frame: _Frame, scale: tuple[float, float], marker: VerticalMarker) -> list[str]:
    x = _num(_x(frame, scale, marker.at))
    return [f'<g class="marker"><line x1="{x}" y1="{TOP}" x2="{x}" y2="{_num(TOP + frame.plot_h)}" '
            f'stroke="#999999"/><text x="{x}" y="{TOP - 2}" font-size="9" text-anchor="middle">'
            f"{_esc(marker.label)}</text></g>"]


def _hline(frame: _Frame, line: HorizontalLine) -> list[str]:
    y, right = _num(frame.y(line.value)), _num(LEFT + frame.plot_w)
    css = _classes("hline", line.css_class)
    return [f'<g class="{css}"><line x1="{LEFT}" y1="{y}" x2="{right}" y2="{y}" stroke="{line.colour}" '
            f'stroke-dasharray="4 3"/><text x="{right}" y="{_num(frame.y(line.value) - 3)}" '
            f'text-anchor="end" fill="{line.colour}">{_esc(line.label)}</text></g>']


def line_chart(
    series: Sequence[Series],
    *,
    x_min: datetime,
    x_max: datetime,
    y_min: float,
    y_max: float,
    markers: Sequence[VerticalMarker] = (),
    hlines: Sequence[HorizontalLine] = (),
    title: str,
    y_label: str,
    width: int = 640,
    height: int = 260,
) -> str:
    """Draw lines over time with labelled markers and reference lines; refuse points out of range."""
    frame = _frame(width, height, y_min, y_max)
    _check_aware(x_min)
    _check_aware(x_max)
    if not x_max > x_min:
        raise ClinicalError("The chart's x_max must be after x_min.")
    for s in series:
        for at, value in s.points:
            _check_in_range(at, value, x_min, x_max, frame)
    for m in markers:
        _check_in_range(m.at, y_min, x_min, x_max, frame)
    for h in hlines:
        _check_in_range(x_min, h.value, x_min, x_max, frame)
    scale = _x_scale(x_min, x_max)
    legend = [(s.name, f"series-{i}", _colour(s.colour, i)) for i, s in enumerate(series)]
    parts = [*_open(frame, title, "line-chart"), *_legend(legend), *_y_axis(frame, y_label),
             *_x_axis(frame, x_min, x_max)]
    for m in markers:
        parts += _marker(frame, scale, m)
    for h in hlines:
        parts += _hline(frame, h)
    for i, s in enumerate(series):
        parts += _series(frame, scale, s, i)
    return "\n".join([*parts, "</svg>"])


def _bar(frame: _Frame, bar: StackedBar, slot: int, n: int, segments: Sequence[Segment]) -> list[str]:
    slot_w = frame.plot_w / n
    x, bar_w = LEFT + slot_w * slot + slot_w * 0.2, slot_w * 0.6
    parts, level = ['<g class="bar">'], 0.0
    for i, (segment, value) in enumerate(zip(segments, bar.values, strict=True)):
        if value > 0:
            top = frame.y(level + value)
            css = _classes(f"segment segment-{i}", segment.css_class)
            tip = _esc(f"{bar.label}: {segment.name} {value:g}")
            parts.append(f'<rect class="{css}" x="{_num(x)}" y="{_num(top)}" width="{_num(bar_w)}" '
                         f'height="{_num(frame.y(level) - top)}" fill="{_colour(segment.colour, i)}">'
                         f"<title>{tip}</title></rect>")
        level += value
    parts.append(f'<text x="{_num(x + bar_w / 2)}" y="{_num(TOP + frame.plot_h + 16)}" '
                 f'text-anchor="middle">{_esc(bar.label)}</text></g>')
    return parts


def stacked_bars(
    bars: Sequence[StackedBar],
    *,
    segments: Sequence[Segment],
    y_max: float,
    title: str,
    y_label: str,
    width: int = 640,
    height: int = 260,
) -> str:
    """Draw one stacked bar per assessment, e.g. PCL-5 clusters B/C/D/E (CLINICAL.md section 4)."""
    frame = _frame(width, height, 0.0, y_max)
    for bar in bars:
        if len(bar.values) != len(segments):
            raise ClinicalError(f"Bar {bar.label!r} has {len(bar.values)} values for {len(segments)} segments.")
        if sum(bar.values) > y_max:
            raise ClinicalError(f"Bar {bar.label!r} totals {sum(bar.values):g}, above y_max {y_max:g}.")
    legend = [(s.name, f"segment-{i}", _colour(s.colour, i)) for i, s in enumerate(segments)]
    parts = [*_open(frame, title, "stacked-bars"), *_legend(legend), *_y_axis(frame, y_label),
             f'<line x1="{LEFT}" y1="{_num(TOP + frame.plot_h)}" x2="{_num(LEFT + frame.plot_w)}" '
             f'y2="{_num(TOP + frame.plot_h)}" stroke="#333333"/>']
    for slot, bar in enumerate(bars):
        parts += _bar(frame, bar, slot, len(bars), segments)
    return "\n".join([*parts, "</svg>"])
