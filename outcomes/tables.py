"""The research export's three tables: exact columns (issue 11), types, and the files that hold them.

Columns are in the issue's order; two follow them: `assessments.seq` (the
order of a course's assessments in time, so "last at baseline" and "first at
end of course" are exact where two share a day) and `course_n` in every table
(the rank of the course's pseudonym within this export, 0 to N-1: a dense
integer key, so the engine groups a million courses without hashing strings;
it carries nothing the pseudonym does not). The same schema types the CSV
reader, the Parquet writer and the in-memory snapshot of the database, so
the engine sees identical tables whichever it reads.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa

TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "courses": (
        ("course", "VARCHAR"), ("clinic", "VARCHAR"), ("status", "VARCHAR"), ("age_band", "VARCHAR"),
        ("sex", "VARCHAR"), ("start_year", "INTEGER"), ("infusions_planned", "INTEGER"),
        ("infusions_given", "INTEGER"), ("last_infusion_day", "INTEGER"), ("course_n", "INTEGER"),
    ),
    "assessments": (
        ("course", "VARCHAR"), ("clinic", "VARCHAR"), ("instrument", "VARCHAR"), ("point", "VARCHAR"),
        ("day", "INTEGER"), ("total", "INTEGER"), ("b", "INTEGER"), ("c", "INTEGER"), ("d", "INTEGER"),
        ("e", "INTEGER"), ("seq", "INTEGER"), ("course_n", "INTEGER"),
    ),
    "infusions": (
        ("course", "VARCHAR"), ("clinic", "VARCHAR"), ("n", "INTEGER"), ("day", "INTEGER"),
        ("baseline_sbp", "INTEGER"), ("baseline_dbp", "INTEGER"), ("peak_sbp", "INTEGER"), ("peak_dbp", "INTEGER"),
        ("paused", "INTEGER"), ("stopped_early", "INTEGER"), ("transferred", "INTEGER"), ("ae_count", "INTEGER"),
        ("ae_serious", "INTEGER"), ("peak_cadss", "INTEGER"), ("course_n", "INTEGER"),
    ),
}
FORMATS = ("csv", "parquet")
_ARROW = {"VARCHAR": pa.string(), "INTEGER": pa.int32()}


def columns(table: str) -> tuple[str, ...]:
    return tuple(name for name, _ in TABLES[table])


def arrow_schema(table: str) -> pa.Schema:
    return pa.schema([(name, _ARROW[kind]) for name, kind in TABLES[table]])


def arrow_table(table: str, rows: Sequence[tuple[Any, ...]]) -> pa.Table:
    """The rows as an Arrow table of the export's schema."""
    names = columns(table)
    data: list[Any] = list(zip(*rows, strict=True)) if rows else [[] for _ in names]
    return pa.Table.from_arrays([pa.array(list(col), type=_ARROW[kind])
                                 for col, (_, kind) in zip(data, TABLES[table], strict=True)], schema=arrow_schema(table))


def file_name(table: str, fmt: str) -> str:
    return f"{table}.{fmt}"


def write_table(directory: Path, table: str, data: pa.Table | Sequence[tuple[Any, ...]], fmt: str) -> Path:
    """Write one table as CSV (empty field for null) or Parquet."""
    path = directory / file_name(table, fmt)
    if fmt == "parquet":
        import pyarrow.parquet as pq

        pq.write_table(data if isinstance(data, pa.Table) else arrow_table(table, data), path)
        return path
    rows = data.to_pylist() if isinstance(data, pa.Table) else data
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns(table))
        for row in rows:
            values = row.values() if isinstance(row, dict) else row
            writer.writerow("" if v is None else v for v in values)
    return path


def find_format(directory: Path) -> str:
    """Which format an export directory holds; refuses a directory without the three files."""
    for fmt in FORMATS:
        if all((directory / file_name(t, fmt)).is_file() for t in TABLES):
            return fmt
    raise FileNotFoundError(f"{directory} holds no research export (courses, assessments and infusions "
                            f"as .csv or .parquet).")
