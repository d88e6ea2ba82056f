"""The analytics engine: issue 11's report computed in DuckDB (in-process) over export tables.

The definitions are the kernel's (clinical/outcomes_rules.py); here they are
set-based SQL over all courses at once, so one clinic and a network of a
million patients take the same path. Kaplan-Meier runs in lifelines on the
(time, event, count) groups DuckDB hands over; t intervals and Wilson
proportions come from clinical/outcomes_stats.py. Sources: export directories
(CSV or Parquet, several pooled together) or Arrow tables (the database's
snapshot, outcomes/rows.py).
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
    SECONDARY_RULES,
    STATUSES,
    TRAJECTORY_POINTS,
    InstrumentRule,
)
from clinical.outcomes_stats import TimeCount, kaplan_meier, kaplan_meier_curve, mean_ci, proportion

from .tables import TABLES, file_name, find_format

THREADS = 2


def connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    con.execute(f"SET threads = {THREADS}")
    return con


def _sql_list(paths: Sequence[Path]) -> str:
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"


def open_exports(directories: Sequence[Path]) -> duckdb.DuckDBPyConnection:
    """Views over one or more export directories, pooled (a network's research office)."""
    con = connect()
    for table, schema in TABLES.items():
        parts = []
        for fmt in sorted({find_format(Path(d)) for d in directories}):
            paths = [Path(d) / file_name(table, fmt) for d in directories if find_format(Path(d)) == fmt]
            if fmt == "parquet":
                parts.append(f"SELECT {', '.join(n for n, _ in schema)} FROM read_parquet({_sql_list(paths)})")
            else:
                types = "{" + ", ".join(f"'{n}': '{t}'" for n, t in schema) + "}"
                parts.append(f"SELECT {', '.join(n for n, _ in schema)} FROM read_csv({_sql_list(paths)}, "
                             f"header = true, columns = {types})")
        con.execute(f"CREATE VIEW {table} AS " + " UNION ALL ".join(parts))
    return con


def open_tables(tables: dict[str, pa.Table]) -> duckdb.DuckDBPyConnection:
    """Views over in-memory Arrow tables (the database's snapshot)."""
    con = connect()
    for table in TABLES:
        con.register(f"_{table}", tables[table])
        con.execute(f"CREATE VIEW {table} AS SELECT * FROM _{table}")
    return con


def _responds(base: str, value: str, rule: InstrumentRule) -> str:
    # Response: reduction >= R% of baseline, or a drop >= P points when on (CLINICAL.md s4).
    pct = f"({base} > 0 AND ({base} - {value}) * 100 >= {int(rule.response_pct)} * {base})"
    if rule.points_drop is None:
        return pct
    return f"({pct} OR ({base} - {value}) >= {int(rule.points_drop)})"


def _facts_sql(rule: InstrumentRule) -> str:
    """One row per course: baseline (last at baseline), end of course (first at end_of_course), sets."""
    instrument = rule.instrument.replace("'", "")
    return f"""
    WITH a AS (
        SELECT clinic, course, point, day, total, b, c, d, e, day::BIGINT * 1000000 + seq AS k
        FROM assessments WHERE instrument = '{instrument}'),
    ends AS (
        SELECT clinic, course,
               arg_max({{'t': total, 'b': b, 'c': c, 'd': d, 'e': e, 'k': k}}, k)
                   FILTER (WHERE point = 'baseline') AS base,
               arg_min({{'t': total, 'b': b, 'c': c, 'd': d, 'e': e, 'k': k, 'day': day}}, k)
                   FILTER (WHERE point = 'end_of_course') AS eoc,
               arg_min(total, k) FILTER (WHERE point = 'post_first_24h') AS p24
        FROM a GROUP BY clinic, course)
    SELECT c.clinic, c.course, c.status, c.last_infusion_day, ends.base, ends.eoc, ends.p24,
           c.status <> 'active' AND ends.base IS NOT NULL AS in_itt,
           c.status = 'completed' AND ends.base IS NOT NULL AND ends.eoc IS NOT NULL AS in_completers,
           coalesce(ends.base IS NOT NULL AND ends.eoc IS NOT NULL
                    AND {_responds('ends.base.t', 'ends.eoc.t', rule)}, false) AS responder,
           coalesce(ends.base.t >= {int(rule.remission_below)}, false) AS eligible,
           coalesce(ends.base.t >= {int(rule.remission_below)} AND ends.eoc.t < {int(rule.remission_below)},
                    false) AS remitted
    FROM courses c LEFT JOIN ends ON ends.clinic = c.clinic AND ends.course = c.course
    """


def _proportions(con: duckdb.DuckDBPyConnection, min_n: int) -> dict[str, Any]:
    row = con.execute("""
        SELECT count(*) FILTER (WHERE in_itt), count(*) FILTER (WHERE in_itt AND responder),
               count(*) FILTER (WHERE in_completers), count(*) FILTER (WHERE in_completers AND responder),
               count(*) FILTER (WHERE in_itt AND eligible), count(*) FILTER (WHERE in_itt AND remitted),
               count(*) FILTER (WHERE in_completers AND eligible), count(*) FILTER (WHERE in_completers AND remitted)
        FROM facts""").fetchone()
    itt, itt_k, done, done_k, r_itt, r_itt_k, r_done, r_done_k = (int(v) for v in row)
    return {
        "response_end_of_course": {"itt": proportion(itt_k, itt, min_n), "completers": proportion(done_k, done, min_n)},
        "remission_end_of_course": {"itt": proportion(r_itt_k, r_itt, min_n),
                                    "completers": proportion(r_done_k, r_done, min_n)},
    }


def _changes(con: duckdb.DuckDBPyConnection, fields: Sequence[str], min_n: int) -> dict[str, dict[str, Any]]:
    parts = []
    for f in fields:
        diff = f"(eoc.{f} - base.{f})::DOUBLE"
        parts.append(f"count({diff}), coalesce(sum({diff}), 0), coalesce(sum({diff} * {diff}), 0)")
    row = con.execute(f"SELECT {', '.join(parts)} FROM facts WHERE base IS NOT NULL AND eoc IS NOT NULL").fetchone()
    return {f: mean_ci(int(row[3 * i]), float(row[3 * i + 1]), float(row[3 * i + 2]), min_n)
            for i, f in enumerate(fields)}


def _change_24h(con: duckdb.DuckDBPyConnection, min_n: int) -> dict[str, Any]:
    row = con.execute("""SELECT count(*), coalesce(sum((p24 - base.t)::DOUBLE), 0),
                                coalesce(sum(((p24 - base.t) * (p24 - base.t))::DOUBLE), 0)
                         FROM facts WHERE base IS NOT NULL AND p24 IS NOT NULL""").fetchone()
    return mean_ci(int(row[0]), float(row[1]), float(row[2]), min_n)


def _durability_times(con: duckdb.DuckDBPyConnection, rule: InstrumentRule) -> list[TimeCount]:
    # Among ITT responders: first later assessment no longer responding, minus the last infusion's day
    # (event); else censored at the last assessment's day minus the last infusion's day (issue 11).
    instrument = rule.instrument.replace("'", "")
    rows = con.execute(f"""
        WITH later AS (
            SELECT f.clinic, f.course, f.eoc.day AS eoc_day, coalesce(f.last_infusion_day, 0) AS last_inf,
                   min(a.day) FILTER (WHERE NOT {_responds('f.base.t', 'a.total', rule)}) AS lost_day,
                   max(a.day) AS last_day
            FROM facts f LEFT JOIN assessments a
              ON a.clinic = f.clinic AND a.course = f.course AND a.instrument = '{instrument}'
             AND a.day::BIGINT * 1000000 + a.seq > f.eoc.k
            WHERE f.in_itt AND f.responder
            GROUP BY f.clinic, f.course, f.eoc.day, f.last_infusion_day)
        SELECT coalesce(lost_day, last_day, eoc_day) - last_inf AS days, lost_day IS NOT NULL AS event,
               count(*) FROM later GROUP BY ALL ORDER BY ALL""").fetchall()
    return [TimeCount(int(d), bool(e), int(n)) for d, e, n in rows]


def _first_response_times(con: duckdb.DuckDBPyConnection, rule: InstrumentRule) -> list[TimeCount]:
    # Courses with a baseline and an assessment after day 0: first one responding (event), else the last.
    instrument = rule.instrument.replace("'", "")
    rows = con.execute(f"""
        WITH after AS (
            SELECT min(a.day) FILTER (WHERE {_responds('f.base.t', 'a.total', rule)}) AS hit_day,
                   max(a.day) AS last_day
            FROM facts f JOIN assessments a
              ON a.clinic = f.clinic AND a.course = f.course AND a.instrument = '{instrument}' AND a.day > 0
            WHERE f.base IS NOT NULL GROUP BY f.clinic, f.course)
        SELECT coalesce(hit_day, last_day), hit_day IS NOT NULL, count(*) FROM after GROUP BY ALL ORDER BY ALL
    """).fetchall()
    return [TimeCount(int(d), bool(e), int(n)) for d, e, n in rows]


def _courses(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    counts = dict(con.execute("SELECT status, count(*) FROM courses GROUP BY status").fetchall())
    return {"started": sum(int(v) for v in counts.values()), **{s: int(counts.get(s, 0)) for s in STATUSES}}


def _safety(con: duckdb.DuckDBPyConnection, defs: ReportDefinitions) -> dict[str, Any]:
    row = con.execute(f"""
        SELECT count(*), count(*) FILTER (WHERE peak_sbp >= {int(defs.surge_sbp_mmhg)}
                                          OR peak_dbp >= {int(defs.surge_dbp_mmhg)}),
               sum(ae_count), sum(ae_serious), sum(stopped_early), sum(transferred), sum(paused),
               avg(peak_cadss::DOUBLE),
               count(*) FILTER (WHERE (peak_sbp >= {int(defs.surge_sbp_mmhg)} OR peak_dbp >= {int(defs.surge_dbp_mmhg)})
                                AND n <= 3),
               count(peak_sbp - baseline_sbp), coalesce(sum((peak_sbp - baseline_sbp)::DOUBLE), 0),
               coalesce(sum(((peak_sbp - baseline_sbp) * (peak_sbp - baseline_sbp))::DOUBLE), 0),
               count(peak_dbp - baseline_dbp), coalesce(sum((peak_dbp - baseline_dbp)::DOUBLE), 0),
               coalesce(sum(((peak_dbp - baseline_dbp) * (peak_dbp - baseline_dbp))::DOUBLE), 0)
        FROM infusions""").fetchone()
    n = int(row[0])

    def per_100(count: Any) -> float | None:
        return round(int(count or 0) * 100 / n, 6) if n else None

    return {"infusions": n, "bp_surge_per_100": per_100(row[1]), "ae_per_100": per_100(row[2]),
            "serious_ae_per_100": per_100(row[3]), "stopped_early_per_100": per_100(row[4]),
            "transferred_per_100": per_100(row[5]), "paused_per_100": per_100(row[6]),
            "mean_peak_cadss": None if row[7] is None else round(float(row[7]), 6),
            "sbp_rise": mean_ci(int(row[9]), float(row[10]), float(row[11])),
            "dbp_rise": mean_ci(int(row[12]), float(row[13]), float(row[14])),
            "surges_in_first_three": proportion(int(row[8]), int(row[1]), defs.min_n)}


def _followup(con: duckdb.DuckDBPyConnection, min_n: int) -> dict[str, Any]:
    flags = ", ".join(f"bool_or(a.point = '{p}') AS {p}" for p in FOLLOW_UPS)
    sums = ", ".join(f"count(*) FILTER (WHERE coalesce(f.{p}, false))" for p in FOLLOW_UPS)
    row = con.execute(f"""
        WITH f AS (SELECT a.clinic, a.course, {flags} FROM assessments a
                   WHERE a.instrument = 'pcl5' AND a.point IN ({', '.join(repr(p) for p in FOLLOW_UPS)})
                   GROUP BY a.clinic, a.course)
        SELECT count(*), {sums} FROM courses c LEFT JOIN f ON f.clinic = c.clinic AND f.course = c.course
        WHERE c.status = 'completed'""").fetchone()
    return {p: proportion(int(row[i + 1]), int(row[0]), min_n) for i, p in enumerate(FOLLOW_UPS)}


def _trajectory(con: duckdb.DuckDBPyConnection, min_n: int) -> dict[str, Any]:
    points = ", ".join(repr(p) for p in TRAJECTORY_POINTS)
    rows = con.execute(f"""
        WITH firsts AS (SELECT point, arg_min(total, day::BIGINT * 1000000 + seq)::DOUBLE AS v FROM assessments
                        WHERE instrument = 'pcl5' AND point IN ({points}) GROUP BY clinic, course, point)
        SELECT point, count(v), sum(v), sum(v * v) FROM firsts GROUP BY point""").fetchall()
    found = {p: (int(n), float(s), float(q)) for p, n, s, q in rows}
    return {p: mean_ci(*found.get(p, (0, 0.0, 0.0)), min_n) for p in TRAJECTORY_POINTS}


def _instrument(con: duckdb.DuckDBPyConnection, rule: InstrumentRule, min_n: int) -> dict[str, Any]:
    con.execute("CREATE OR REPLACE TEMP TABLE facts AS " + _facts_sql(rule))
    return {**_proportions(con, min_n), "change_end_of_course": _changes(con, ["t"], min_n)["t"]}


def _secondary(con: duckdb.DuckDBPyConnection, min_n: int) -> dict[str, Any]:
    present = {r[0] for r in con.execute("SELECT DISTINCT instrument FROM assessments").fetchall()}
    return {rule.instrument: _instrument(con, rule, min_n) for rule in SECONDARY_RULES if rule.instrument in present}


def compute(con: duckdb.DuckDBPyConnection, defs: ReportDefinitions, curve: bool = False) -> dict[str, Any]:
    """The whole report (issue 11 keys); ``curve`` adds the durability curve for the page."""
    rule, min_n = defs.rule, defs.min_n
    pcl5 = _instrument(con, rule, min_n)
    clusters = _changes(con, CLUSTERS, min_n)
    durability = _durability_times(con, rule)
    report = {
        "definitions": defs.as_dict(),
        "courses": _courses(con),
        **pcl5,
        "clusters_end_of_course": {x.upper(): clusters[x] for x in CLUSTERS},
        "change_24h": _change_24h(con, min_n),
        "durability": kaplan_meier(durability, min_n),
        "time_to_first_response": kaplan_meier(_first_response_times(con, rule), min_n),
        "safety": _safety(con, defs),
        "followup_completeness": _followup(con, min_n),
        "trajectory_pcl5": _trajectory(con, min_n),
        "secondary": _secondary(con, min_n),
    }
    if curve:
        report["durability_curve"] = kaplan_meier_curve(durability)
    return report
