"""The DuckDB engine gives the kernel's report on the same rows, from memory, CSV and Parquet."""

from __future__ import annotations

import dataclasses
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinical.outcomes_report import ReportDefinitions, build_report
from clinical.outcomes_rules import AssessmentRow, CourseRow, InfusionRow
from outcomes import engine
from outcomes.tables import TABLES, arrow_table, write_table

POINTS = ("baseline", "pre_infusion", "post_first_24h", "end_of_course", "follow_1w", "follow_1m", "follow_3m",
          "unscheduled")
DAYS = {"baseline": -3, "pre_infusion": 2, "post_first_24h": 1, "end_of_course": 12, "follow_1w": 18,
        "follow_1m": 41, "follow_3m": 101, "unscheduled": 30}


@st.composite
def dataset(draw):
    courses, assessments, infusions = [], [], []
    for i in range(draw(st.integers(0, 25))):
        clinic = draw(st.sampled_from(["K-A", "K-B"]))
        name = f"C-{i % 7}"  # pseudonyms repeat across clinics
        if any(c.course == name and c.clinic == clinic for c in courses):
            continue
        status = draw(st.sampled_from(["active", "completed", "stopped"]))
        courses.append(CourseRow(name, clinic, status, 6, draw(st.sampled_from([None, 9, 11]))))
        seq = 0
        for instrument in ("pcl5", "phq9"):
            for point in draw(st.lists(st.sampled_from(POINTS), max_size=7)):
                top = 80 if instrument == "pcl5" else 27
                clusters = [draw(st.integers(0, 20)) for _ in range(4)] if instrument == "pcl5" else [None] * 4
                day = DAYS[point] + draw(st.integers(-1, 1))
                assessments.append(AssessmentRow(name, clinic, instrument, point, day, draw(st.integers(0, top)),
                                                 seq, *clusters))
                seq += 1
        for n in range(1, draw(st.integers(0, 3)) + 1):
            infusions.append(InfusionRow(name, clinic, n, 2 * n, 120, 80, draw(st.integers(120, 200)),
                                         draw(st.integers(70, 120)), draw(st.integers(0, 1)), 0, 0,
                                         draw(st.integers(0, 2)), draw(st.integers(0, 1)),
                                         draw(st.one_of(st.none(), st.integers(0, 40)))))
    return courses, assessments, infusions


def as_tables(courses, assessments, infusions):
    n = {(c.clinic, c.course): i for i, c in enumerate(courses)}  # course_n: one per course of the export
    rows = {"courses": [(c.course, c.clinic, c.status, "30-39", "female", 2026, 6, c.infusions_given,
                         c.last_infusion_day, n[(c.clinic, c.course)]) for c in courses],
            "assessments": [(a.course, a.clinic, a.instrument, a.point, a.day, a.total, a.b, a.c, a.d, a.e, a.seq,
                             n[(a.clinic, a.course)]) for a in assessments],
            "infusions": [(*dataclasses.astuple(i), n[(i.clinic, i.course)]) for i in infusions]}
    return {t: arrow_table(t, rows[t]) for t in TABLES}


def close(a, b, path="report"):
    """Equal up to the last printed digit of floating sums (the kernel and DuckDB add in other orders)."""
    if isinstance(a, dict):
        assert a.keys() == b.keys(), path
        for key in a:
            close(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, list):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            close(x, y, f"{path}[{i}]")
    elif isinstance(a, float) and isinstance(b, float):
        assert math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-5), path
    else:
        assert a == b, path


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dataset(), st.sampled_from([ReportDefinitions(), ReportDefinitions(response_points=None, min_n=3),
                                   ReportDefinitions(response_pct=50, response_points=5, remission_cutpoint=31)]))
def test_engine_report_equals_the_kernel_report_on_the_same_rows(data, defs):
    expected = build_report(*data, defs)
    close(engine.compute(engine.open_tables(as_tables(*data)), defs), expected)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_engine_reads_its_export_files_back_and_pools_directories(tmp_path, fmt):
    courses = [CourseRow("C-1", "K-A", "completed", 6, 11), CourseRow("C-1", "K-B", "stopped", 3, 4)]
    assessments = [AssessmentRow("C-1", "K-A", "pcl5", "baseline", -3, 60, 0, 15, 8, 20, 17),
                   AssessmentRow("C-1", "K-A", "pcl5", "end_of_course", 12, 30, 1, 8, 4, 10, 8),
                   AssessmentRow("C-1", "K-A", "pcl5", "follow_1m", 41, 52, 2, 12, 6, 18, 14),
                   AssessmentRow("C-1", "K-B", "pcl5", "baseline", -2, 40, 0, 10, 5, 15, 10)]
    infusions = [InfusionRow("C-1", "K-A", 1, 0, 120, 80, 182, 100, 1, 0, 0, 1, 0, 12)]
    tables = as_tables(courses, assessments, infusions)
    one, two = tmp_path / "a", tmp_path / "b"
    for directory, clinic in ((one, "K-A"), (two, "K-B")):
        directory.mkdir()
        for name, table in tables.items():
            write_table(directory, name, table.filter([c == clinic for c in table.column("clinic").to_pylist()]), fmt)
    defs = ReportDefinitions()
    pooled = engine.compute(engine.open_exports([one, two]), defs)
    assert pooled == engine.compute(engine.open_tables(tables), defs)
    assert pooled["courses"] == {"started": 2, "active": 0, "completed": 1, "stopped": 1}
    assert pooled["durability"]["n"] == pooled["durability"]["events"] == 1
    assert pooled["durability"]["median_days"] == 30  # day 41 minus the last infusion on day 11
    assert pooled["safety"]["bp_surge_per_100"] == 100.0
