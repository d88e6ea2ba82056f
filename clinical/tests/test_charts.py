"""SVG charts: structure, escaping, determinism and refusals (synthetic data)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinical.charts import (
    PALETTE,
    HorizontalLine,
    Segment,
    Series,
    StackedBar,
    VerticalMarker,
    line_chart,
    stacked_bars,
)
from clinical.errors import ClinicalError

NS = {"svg": "http://www.w3.org/2000/svg"}
T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
DAY = timedelta(days=1)
PCL5 = Series("PCL-5", tuple((T0 + d * DAY, float(v)) for d, v in [(0, 60), (2, 55), (5, 40), (9, 38)]))
CLUSTERS = [Segment("B"), Segment("C"), Segment("D"), Segment("E")]


def chart(series: list[Series] | None = None, /, **overrides: object) -> str:
    kwargs: dict[str, object] = {
        "x_min": T0 - DAY, "x_max": T0 + 14 * DAY, "y_min": 0.0, "y_max": 80.0,
        "markers": [VerticalMarker(T0 + timedelta(hours=1), "Inf 1")],
        "hlines": [HorizontalLine(33, "Cut-point 33")],
        "title": "PCL-5 total", "y_label": "Total",
    }
    kwargs.update(overrides)
    return line_chart([PCL5] if series is None else series, **cast(Any, kwargs))


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 -- our own output, parsed to prove it is well-formed


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{{{NS['svg']}}}text")]


# --- structure --------------------------------------------------------------------

def test_line_chart_is_an_accessible_svg_image() -> None:
    root = parse(chart())
    assert root.get("role") == "img"
    assert root.get("aria-label") == "PCL-5 total"
    title = root.find("svg:title", NS)
    assert title is not None
    assert title.text == "PCL-5 total"


def test_line_chart_draws_series_legend_markers_and_reference_lines() -> None:
    root = parse(chart())
    labels = texts(root)
    assert {"PCL-5", "Inf 1", "Cut-point 33", "Total"} <= set(labels)
    assert len(root.findall(".//svg:g[@class='series series-0']/svg:circle", NS)) == 4
    polyline = root.find(".//svg:polyline", NS)
    assert polyline is not None and polyline.get("stroke") == PALETTE[0]
    hline = root.find(".//svg:g[@class='hline']/svg:line", NS)
    assert hline is not None and hline.get("stroke-dasharray") == "4 3"


def test_value_axis_has_nice_ticks() -> None:
    assert [t for t in texts(parse(chart())) if t.isdigit()] == ["0", "20", "40", "60", "80"]


def test_date_axis_labels_are_readable_days() -> None:
    dates = [t.text for t in parse(chart()).findall(".//svg:g[@class='axis x-axis']/svg:text", NS)]
    assert dates == ["2 Mar", "4 Mar", "6 Mar", "8 Mar", "10 Mar", "12 Mar", "14 Mar", "16 Mar"]


def test_date_axis_uses_hours_for_a_single_session() -> None:
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    bp = Series("Systolic", ((start, 130.0), (start + timedelta(minutes=40), 146.0)))
    svg = chart([bp], x_min=start, x_max=start + timedelta(hours=3), y_min=60.0, y_max=200.0,
                markers=[], hlines=[])
    assert {"09:00", "10:00", "11:00", "12:00"} <= set(texts(parse(svg)))


def test_date_labels_follow_the_time_zone_of_x_min() -> None:
    ny = ZoneInfo("America/New_York")
    start = datetime(2026, 3, 2, 9, 0, tzinfo=ny)
    svg = chart([], x_min=start, x_max=start + timedelta(hours=2), markers=[], hlines=[])
    assert "09:00" in texts(parse(svg))


def test_dates_spanning_a_year_end_carry_the_year() -> None:
    start = datetime(2026, 12, 20, tzinfo=UTC)
    svg = chart([], x_min=start, x_max=start + 20 * DAY, markers=[], hlines=[])
    dates = [t.text for t in parse(svg).findall(".//svg:g[@class='axis x-axis']/svg:text", NS)]
    assert dates == ["20 Dec 2026", "27 Dec 2026", "3 Jan 2027"]


def test_series_colour_and_class_can_be_chosen() -> None:
    s = Series("PHQ-9", PCL5.points, css_class="phq9", colour="#112233")
    root = parse(chart([s]))
    group = root.find(".//svg:g[@class='series series-0 phq9']", NS)
    assert group is not None
    line = group.find("svg:polyline", NS)
    assert line is not None and line.get("stroke") == "#112233"


def test_charts_contain_no_script_and_no_external_reference() -> None:
    svg = chart() + stacked_bars([StackedBar("1", (1, 2, 3, 4))], segments=CLUSTERS, y_max=80,
                                 title="t", y_label="y")
    assert "<script" not in svg and "href" not in svg and "http://" not in svg.replace(NS["svg"], "")


def test_output_is_deterministic() -> None:
    assert chart() == chart()


def test_single_point_series_is_drawn_as_a_dot_without_a_line() -> None:
    root = parse(chart([Series("one", ((T0, 40.0),))]))
    assert root.find(".//svg:polyline", NS) is None
    assert len(root.findall(".//svg:circle", NS)) == 1


def test_points_are_joined_in_time_order() -> None:
    shuffled = Series("s", (PCL5.points[2], PCL5.points[0], PCL5.points[1]))
    assert shuffled.points == PCL5.points[:3]


# --- escaping -------------------------------------------------------------------

def test_text_is_escaped_everywhere() -> None:
    evil = '</text><script>alert("x")</script>&'
    svg = chart([Series(evil, PCL5.points)], title=evil, y_label=evil,
                markers=[VerticalMarker(T0, evil)], hlines=[HorizontalLine(33, evil)])
    assert "<script>" not in svg
    root = parse(svg)
    assert root.get("aria-label") == evil
    assert texts(root).count(evil) >= 4


def test_characters_xml_cannot_carry_are_replaced() -> None:
    root = parse(chart([Series("a\x00b\x1bc", PCL5.points)]))
    assert "a\ufffdb\ufffdc" in texts(root)


# --- refusals -------------------------------------------------------------------

@pytest.mark.parametrize("overrides", [
    {"x_max": T0 - DAY},
    {"y_max": 0.0},
    {"y_min": float("nan")},
    {"x_min": datetime(2026, 3, 1)},  # noqa: DTZ001
    {"width": 50},
    {"hlines": [HorizontalLine(90, "above")]},
    {"markers": [VerticalMarker(T0 + 30 * DAY, "late")]},
])
def test_line_chart_refuses_bad_ranges(overrides: dict[str, object]) -> None:
    with pytest.raises(ClinicalError):
        chart(**overrides)


def test_line_chart_refuses_points_outside_the_range_rather_than_clipping() -> None:
    with pytest.raises(ClinicalError, match="outside the chart's range"):
        chart([Series("s", ((T0, 81.0),))])


@pytest.mark.parametrize("kwargs", [
    {"css_class": 'x" onload="y'}, {"colour": "red;background:url(x)"}, {"colour": "#12"},
])
def test_series_refuses_unsafe_class_or_colour(kwargs: dict[str, str]) -> None:
    with pytest.raises(ClinicalError):
        Series("s", (), **kwargs)


def test_series_refuses_infinite_values_and_naive_times() -> None:
    with pytest.raises(ClinicalError):
        Series("s", ((T0, float("inf")),))
    with pytest.raises(ClinicalError):
        Series("s", ((datetime(2026, 3, 2), 1.0),))  # noqa: DTZ001


# --- stacked bars ------------------------------------------------------------------

def bars_svg(bars: list[StackedBar]) -> str:
    return stacked_bars(bars, segments=CLUSTERS, y_max=80, title="PCL-5 clusters", y_label="Score")


def test_stacked_bars_draw_one_rect_per_nonzero_segment_stacked_upwards() -> None:
    root = parse(bars_svg([StackedBar("Baseline", (14, 6, 22, 18)), StackedBar("Week 2", (10, 0, 16, 12))]))
    rects = root.findall(".//svg:g[@class='bar']/svg:rect", NS)
    assert len(rects) == 7
    first = rects[:4]
    tops = [float(r.get("y", "0")) for r in first]
    heights = [float(r.get("height", "0")) for r in first]
    assert tops == sorted(tops, reverse=True)  # B at the bottom, E on top
    assert sum(heights) == pytest.approx(60 / 80 * (260 - 44 - 34), abs=0.3)
    assert [r.get("class") for r in first] == [f"segment segment-{i}" for i in range(4)]
    assert {"Baseline", "Week 2", "B", "C", "D", "E"} <= set(texts(root))


@pytest.mark.parametrize(("bar", "message"), [
    (StackedBar("x", (1, 2, 3)), "3 values for 4 segments"),
    (StackedBar("x", (20, 20, 20, 21)), "above y_max"),
])
def test_stacked_bars_refuse_mismatched_or_overfull_bars(bar: StackedBar, message: str) -> None:
    with pytest.raises(ClinicalError, match=message):
        bars_svg([bar])


def test_stacked_bar_refuses_negative_values() -> None:
    with pytest.raises(ClinicalError, match="negative"):
        StackedBar("x", (1, -1, 0, 0))


# --- properties -------------------------------------------------------------------

names = st.text(max_size=30)
values = st.floats(min_value=-1000, max_value=1000, allow_nan=False)
offsets = st.integers(min_value=0, max_value=30 * 24 * 60)  # minutes into a 30-day window


@given(
    series=st.lists(st.tuples(names, st.lists(st.tuples(offsets, values), max_size=8)), max_size=4),
    title=names,
    marker_label=names,
)
def test_line_chart_is_well_formed_xml_with_text_round_tripping(
    series: list[tuple[str, list[tuple[int, float]]]], title: str, marker_label: str
) -> None:
    built = [Series(name, tuple((T0 + timedelta(minutes=m), v) for m, v in pts)) for name, pts in series]
    svg = line_chart(built, x_min=T0, x_max=T0 + 30 * DAY, y_min=-1000, y_max=1000,
                     markers=[VerticalMarker(T0, marker_label)], title=title, y_label="v")
    root = parse(svg)
    clean = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
    assert root.get("aria-label") == clean.sub("\ufffd", title)
    title_element = root.find("svg:title", NS)
    assert title_element is not None and (title_element.text or "") == clean.sub("\ufffd", title)
    legend = [t.text or "" for t in root.findall(".//svg:g[@class='legend']/svg:text", NS)]
    assert legend == [clean.sub("\ufffd", name) for name, _ in series]
    assert len(root.findall(".//svg:circle", NS)) == sum(len(p) for _, p in series)


@given(bars=st.lists(st.tuples(names, st.lists(st.integers(0, 20), min_size=4, max_size=4)), max_size=12))
def test_stacked_bars_are_well_formed_xml(bars: list[tuple[str, list[int]]]) -> None:
    root = parse(bars_svg([StackedBar(label, tuple(map(float, v))) for label, v in bars]))
    labels = [t.text or "" for t in root.findall(".//svg:g[@class='bar']/svg:text", NS)]
    clean = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
    assert labels == [clean.sub("\ufffd", label) for label, _ in bars]
