"""The analytics engine: issue 11's report computed in DuckDB (in-process) over export tables.

The definitions are the kernel's (clinical/outcomes_rules.py); here they are
set-based SQL over all courses at once, so one clinic and a network of a
million patients take the same path. Two passes over the assessments: one
aggregate per course (baseline, end of course, 24 h, follow-ups, for every
instrument), then one join of the later PCL-5 rows against those facts
(durability, time to first response). Courses are grouped by a dense integer
key (`course_n` plus each pooled export's offset), which DuckDB aggregates
with a perfect hash. Kaplan-Meier runs in lifelines on the (time, event,
count) groups DuckDB hands over; t intervals and Wilson proportions come from
clinical/outcomes_stats.py.
"""

# ruff: noqa: S608 - SQL is assembled from this module's constants, schema names and validated ints only.

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from clinical.outcomes_report import ReportDefinitions
from clinical.outcomes_rules import (
    CLUSTERS,
    FOLLOW_UPS,
    PCL5,
    SECONDARY_RULES,
    STATUSES,
    TRAJECTORY_POINTS,
    InstrumentRule,
)
from clinical.outcomes_stats import TimeCount, kaplan_meier, kaplan_meier_with_curve, mean_ci, proportion

from .tables import TABLES, file_name, find_format

THREADS = 2
INSTRUMENTS = (PCL5, *(r.instrument for r in SECONDARY_RULES))


def connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    con.execute(f"SET threads = {THREADS}")
    con.execute("SET enable_progress_bar = false")
    con.execute("SET preserve_insertion_order = false")
    con.execute("SET perfect_ht_threshold = 24")  # dense course keys up to 16 million aggregate without hashing
    return con


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _reader(directory: Path, table: str) -> str:
    fmt = find_format(directory)
    path = _quote(directory / file_name(table, fmt))
    if fmt == "parquet":
        return f"read_parquet({path})"
    types = "{" + ", ".join(f"'{n}': '{t}'" for n, t in TABLES[table]) + "}"
    return f"read_csv({path}, header = true, columns = {types})"


def open_exports(directories: Sequence[Path]) -> duckdb.DuckDBPyConnection:
    """Views over one or more export directories, pooled (a network's research office)."""
    con = connect()
    offsets, offset = [], 0
    for directory in directories:
        offsets.append(offset)
        offset += int(con.execute(f"SELECT count(*) FROM {_reader(Path(directory), 'courses')}").fetchone()[0])
    for table, schema in TABLES.items():
        names = ", ".join(n for n, _ in schema)
        parts = [f"SELECT {names}, course_n + {off} AS key FROM {_reader(Path(d), table)}"
                 for d, off in zip(directories, offsets, strict=True)]
        con.execute(f"CREATE VIEW {table} AS " + " UNION ALL ".join(parts))
    return con


def open_tables(tables: dict[str, pa.Table]) -> duckdb.DuckDBPyConnection:
    """Views over in-memory Arrow tables (the database's snapshot)."""
    con = connect()
    for table in TABLES:
        con.register(f"_{table}", tables[table])
        con.execute(f"CREATE VIEW {table} AS SELECT *, course_n AS key FROM _{table}")
    return con


def _responds(base: str, value: str, rule: InstrumentRule) -> str:
    # Response: reduction >= R% of baseline, or a drop >= P points when on (CLINICAL.md s4).
    pct = f"({base} > 0 AND ({base} - {value}) * 100 >= {int(rule.response_pct)} * {base})"
    if rule.points_drop is None:
        return pct
    return f"({pct} OR ({base} - {value}) >= {int(rule.points_drop)})"


POINTS = ("baseline", "end_of_course", "post_first_24h", *FOLLOW_UPS)  # the points pass 1 reads
# Pass 1 packs a row into one BIGINT so "last at baseline" is a max and "first at a point" a min:
# (day * 65536 + seq) << 28 | total << 20 | b << 15 | c << 10 | d << 5 | e   (31 stands for no value).
PACKED = ("((day::BIGINT * 65536 + seq) * 268435456 + total * 1048576 + coalesce(b, 31) * 32768"
          " + coalesce(c, 31) * 1024 + coalesce(d, 31) * 32 + coalesce(e, 31))")
IN_RANGE = ("total BETWEEN 0 AND 255 AND seq BETWEEN 0 AND 65535 AND day BETWEEN -30000 AND 30000"
            " AND coalesce(greatest(b, c, d, e), 0) <= 30 AND coalesce(least(b, c, d, e), 0) >= 0")


class EngineError(ValueError):
    """The rows cannot be reported on as they are (a value outside what the export allows)."""


def _codes(column: str, values: Sequence[str]) -> str:
    return f"CASE {column} " + " ".join(f"WHEN '{v}' THEN {n}" for n, v in enumerate(values)) + " END"


def _pick(instrument: int, point: str) -> str:
    # The last at baseline, the first at any other point (issue 11).
    fn = "max" if point == "baseline" else "min"
    return f"{fn}(CASE WHEN ip = {instrument * 8 + POINTS.index(point)} THEN v END)"


def _unpack(column: str, field: str) -> str:
    shift = {"total": 20, "b": 15, "c": 10, "d": 5, "e": 0}
    if field == "day":
        return f"({column} >> 44)"
    width = 255 if field == "total" else 31
    value = f"(({column} >> {shift[field]}) & {width})"
    return value if field == "total" else f"nullif({value}, 31)"


def _per_course_sql(instruments: Sequence[str]) -> str:
    """Pass 1: one row per course with what every definition needs, for every instrument present."""
    picks = {f"{i}_{p}": _pick(INSTRUMENTS.index(i), p) for i in instruments for p in POINTS[:2]}
    picks.update({f"pcl5_{p}": _pick(0, p) for p in POINTS[2:]})
    cols = [f"{_unpack(name, 'total')} AS {('base_' if name.endswith('_baseline') else 'eoc_') + name.split('_')[0]}"
            for name in picks if name.endswith(("_baseline", "_end_of_course"))]
    cols.append(f"{_unpack('pcl5_end_of_course', 'day')} AS eoc_day")
    for x in CLUSTERS:
        cols += [f"{_unpack('pcl5_baseline', x)} AS base_{x}", f"{_unpack('pcl5_end_of_course', x)} AS eoc_{x}"]
    cols += [f"{_unpack(f'pcl5_{p}', 'total')} AS at_{p}" for p in POINTS[2:]]
    cols += [f"NULL::INTEGER AS base_{i}, NULL::INTEGER AS eoc_{i}" for i in INSTRUMENTS if i not in instruments]
    points = ", ".join(f"'{p}'" for p in POINTS)
    return f"""SELECT key, bad, {', '.join(cols)} FROM (
        SELECT key, bool_or(NOT ({IN_RANGE})) AS bad,
               {', '.join(f'{expr} AS {name}' for name, expr in picks.items())}
        FROM (SELECT key, day, seq, total, b, c, d, e, {PACKED} AS v,
                     {_codes('instrument', INSTRUMENTS)} * 8 + {_codes('point', POINTS)} AS ip
              FROM assessments WHERE point IN ({points}))
        GROUP BY key)"""


def _facts(con: duckdb.DuckDBPyConnection) -> None:
    found = {r[0] for r in con.execute("SELECT DISTINCT instrument FROM assessments WHERE point = 'baseline'"
                                       ).fetchall()}
    instruments = [i for i in INSTRUMENTS if i == PCL5 or i in found]
    con.execute(f"CREATE OR REPLACE TEMP TABLE per AS {_per_course_sql(instruments)}")
    if con.execute("SELECT bool_or(bad) FROM per").fetchone()[0]:
        raise EngineError("An assessment holds a value outside the export's ranges (total 0-255, clusters 0-30, "
                          "day within +-30000, at most 65536 assessments a course).")
    con.execute("""CREATE OR REPLACE TEMP TABLE facts AS
        SELECT c.key, c.status, c.last_infusion_day, per.* EXCLUDE (key, bad)
        FROM courses c LEFT JOIN per ON per.key = c.key""")


def _sets(i: str, rule: InstrumentRule) -> dict[str, str]:
    base, eoc, cut = f"base_{i}", f"eoc_{i}", int(rule.remission_below)
    itt = f"status <> 'active' AND {base} IS NOT NULL"
    done = f"status = 'completed' AND {base} IS NOT NULL AND {eoc} IS NOT NULL"
    responder = f"({eoc} IS NOT NULL AND {_responds(base, eoc, rule)})"
    return {"itt": itt, "done": done, "responder": responder, "eligible": f"{base} >= {cut}",
            "remitted": f"({base} >= {cut} AND {eoc} < {cut})"}


def _mean_cols(diff: str) -> str:
    return f"count({diff}), coalesce(sum(({diff})::DOUBLE), 0), coalesce(sum((({diff}) * ({diff}))::DOUBLE), 0)"


def _instrument(con: duckdb.DuckDBPyConnection, i: str, rule: InstrumentRule, min_n: int) -> dict[str, Any]:
    s = _sets(i, rule)
    row = con.execute(f"""
        SELECT count(*) FILTER (WHERE {s['itt']}), count(*) FILTER (WHERE {s['itt']} AND {s['responder']}),
               count(*) FILTER (WHERE {s['done']}), count(*) FILTER (WHERE {s['done']} AND {s['responder']}),
               count(*) FILTER (WHERE {s['itt']} AND {s['eligible']}),
               count(*) FILTER (WHERE {s['itt']} AND {s['remitted']}),
               count(*) FILTER (WHERE {s['done']} AND {s['eligible']}),
               count(*) FILTER (WHERE {s['done']} AND {s['remitted']}),
               {_mean_cols(f'eoc_{i} - base_{i}')}
        FROM facts""").fetchone()
    c = [int(v) for v in row[:8]]
    return {
        "response_end_of_course": {"itt": proportion(c[1], c[0], min_n), "completers": proportion(c[3], c[2], min_n)},
        "remission_end_of_course": {"itt": proportion(c[5], c[4], min_n), "completers": proportion(c[7], c[6], min_n)},
        "change_end_of_course": mean_ci(int(row[8]), float(row[9]), float(row[10]), min_n),
    }


def _means(con: duckdb.DuckDBPyConnection, diffs: dict[str, str], min_n: int) -> dict[str, dict[str, Any]]:
    row = con.execute(f"SELECT {', '.join(_mean_cols(d) for d in diffs.values())} FROM facts").fetchone()
    return {name: mean_ci(int(row[3 * n]), float(row[3 * n + 1]), float(row[3 * n + 2]), min_n)
            for n, name in enumerate(diffs)}


def _times(con: duckdb.DuckDBPyConnection, rule: InstrumentRule) -> tuple[list[TimeCount], list[TimeCount]]:
    """Pass 2: durability among ITT responders, and time to first response (issue 11 definitions)."""
    s = _sets(PCL5, rule)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE later AS
        SELECT a.key,
               min(a.day) FILTER (WHERE a.day > f.eoc_day AND NOT {_responds('f.base_pcl5', 'a.total', rule)}) AS lost_day,
               max(a.day) FILTER (WHERE a.day > f.eoc_day) AS later_last,
               min(a.day) FILTER (WHERE {_responds('f.base_pcl5', 'a.total', rule)}) AS hit_day,
               max(a.day) AS last_day
        FROM assessments a JOIN facts f ON f.key = a.key
        WHERE a.instrument = '{PCL5}' AND a.day > 0 AND f.base_pcl5 IS NOT NULL
        GROUP BY a.key""")
    durability = con.execute(f"""
        SELECT coalesce(l.lost_day, l.later_last, f.eoc_day) - coalesce(f.last_infusion_day, 0),
               l.lost_day IS NOT NULL, count(*)
        FROM facts f LEFT JOIN later l ON l.key = f.key
        WHERE {s['itt']} AND {s['responder']} GROUP BY ALL ORDER BY ALL""").fetchall()
    first = con.execute("""SELECT coalesce(hit_day, last_day), hit_day IS NOT NULL, count(*) FROM later
                           GROUP BY ALL ORDER BY ALL""").fetchall()
    return ([TimeCount(int(d), bool(e), int(n)) for d, e, n in durability],
            [TimeCount(int(d), bool(e), int(n)) for d, e, n in first])


def _courses(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    counts = dict(con.execute("SELECT status, count(*) FROM facts GROUP BY status").fetchall())
    return {"started": sum(int(v) for v in counts.values()), **{s: int(counts.get(s, 0)) for s in STATUSES}}


def _safety(con: duckdb.DuckDBPyConnection, defs: ReportDefinitions) -> dict[str, Any]:
    surge = f"(peak_sbp >= {int(defs.surge_sbp_mmhg)} OR peak_dbp >= {int(defs.surge_dbp_mmhg)})"
    row = con.execute(f"""
        SELECT count(*), count(*) FILTER (WHERE {surge}), sum(ae_count), sum(ae_serious), sum(stopped_early),
               sum(transferred), sum(paused), avg(peak_cadss::DOUBLE), count(*) FILTER (WHERE {surge} AND n <= 3),
               {_mean_cols('peak_sbp - baseline_sbp')}, {_mean_cols('peak_dbp - baseline_dbp')}
        FROM infusions""").fetchone()
    n = int(row[0])

    def per_100(count: Any) -> float | None:
        return round(int(count or 0) * 100 / n, 6) if n else None

    return {"infusions": n, "bp_surge_per_100": per_100(row[1]), "ae_per_100": per_100(row[2]),
            "serious_ae_per_100": per_100(row[3]), "stopped_early_per_100": per_100(row[4]),
            "transferred_per_100": per_100(row[5]), "paused_per_100": per_100(row[6]),
            "mean_peak_cadss": None if row[7] is None else round(float(row[7]), 6),
            # Beside the Yale figures (CLINICAL.md s3).
            "sbp_rise": mean_ci(int(row[9]), float(row[10]), float(row[11])),
            "dbp_rise": mean_ci(int(row[12]), float(row[13]), float(row[14])),
            "surges_in_first_three": proportion(int(row[8]), int(row[1]), defs.min_n)}


def _followup(con: duckdb.DuckDBPyConnection, min_n: int) -> dict[str, Any]:
    sums = ", ".join(f"count(at_{p})" for p in FOLLOW_UPS)
    row = con.execute(f"SELECT count(*), {sums} FROM facts WHERE status = 'completed'").fetchone()
    return {p: proportion(int(row[i + 1]), int(row[0]), min_n) for i, p in enumerate(FOLLOW_UPS)}


def _trajectory(con: duckdb.DuckDBPyConnection, min_n: int) -> dict[str, Any]:
    columns = {p: ("base_pcl5" if p == "baseline" else "eoc_pcl5" if p == "end_of_course" else f"at_{p}")
               for p in TRAJECTORY_POINTS}
    return _means(con, columns, min_n)


def compute(con: duckdb.DuckDBPyConnection, defs: ReportDefinitions, curve: bool = False) -> dict[str, Any]:
    """The whole report (issue 11 keys); ``curve`` adds the durability curve for the page."""
    rule, min_n = defs.rule, defs.min_n
    _facts(con)
    durability, first = _times(con, rule)
    clusters = _means(con, {x.upper(): f"eoc_{x} - base_{x}" for x in CLUSTERS}, min_n)
    present = con.execute("SELECT " + ", ".join(f"count(base_{r.instrument})" for r in SECONDARY_RULES)
                          + " FROM facts").fetchone()
    durability_km, durability_curve = kaplan_meier_with_curve(durability, min_n)
    report = {
        "definitions": defs.as_dict(),
        "courses": _courses(con),
        **_instrument(con, PCL5, rule, min_n),
        "clusters_end_of_course": clusters,
        "change_24h": _means(con, {"x": "at_post_first_24h - base_pcl5"}, min_n)["x"],
        "durability": durability_km,
        "time_to_first_response": kaplan_meier(first, min_n),
        "safety": _safety(con, defs),
        "followup_completeness": _followup(con, min_n),
        "trajectory_pcl5": _trajectory(con, min_n),
        "secondary": {r.instrument: _instrument(con, r.instrument, r, min_n)
                      for r, n in zip(SECONDARY_RULES, present, strict=True) if n},
    }
    if curve:
        report["durability_curve"] = durability_curve
    return report


def response_and_durability(con: duckdb.DuckDBPyConnection, defs: ReportDefinitions) -> dict[str, Any]:
    """Only what a trial's row needs under other definitions (e.g. Feder 2021's 30% alone)."""
    _facts(con)
    durability, _ = _times(con, defs.rule)
    return {**_instrument(con, PCL5, defs.rule, defs.min_n), "durability": kaplan_meier(durability, defs.min_n)}
