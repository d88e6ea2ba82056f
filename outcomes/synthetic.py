"""A synthetic network research export: N patients with realistic trajectories, in the export's exact schema.

Synthetic data only. Each course follows the default schedule (6 infusions
over 2 weeks, or 8 twice weekly for one in five); PCL-5 falls over the
course for most, by 30-70% for responders, who lose response after an
exponential time (median about a month after the last infusion, near Feder
2021's 27.5 days); follow-ups thin out (1 week, 1 month, 3 months);
PHQ-9 runs alongside; infusions carry BP rises near the Yale figures and
CADSS near 7.7 (SD 9.2). Generated vectorised in chunks with numpy and
written with pyarrow, with a progress bar.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from .tables import TABLES, arrow_schema, file_name

CHUNK = 50_000
SIX = np.array([0, 2, 4, 7, 9, 11, 0, 0])
EIGHT = np.array([0, 3, 7, 10, 14, 17, 21, 24])
STATUSES = np.array(["active", "completed", "stopped"])
BANDS = np.array(["18-29", "30-39", "40-49", "50-59", "60-69", "70-79", "80-89", "90+"])
SEXES = np.array(["female", "male", "other"])


@dataclass
class Chunk:
    """One chunk's courses and their derived per-course arrays."""

    first: int
    size: int
    clinic: np.ndarray
    status: np.ndarray
    planned: np.ndarray
    given: np.ndarray
    days: np.ndarray  # (size, 8) infusion days
    last_day: np.ndarray
    base: np.ndarray
    gain: np.ndarray  # fraction of baseline lost by the end of course
    relapse: np.ndarray  # days after the last infusion when a responder loses response
    after: np.ndarray  # fraction kept after relapse


def _courses(rng: np.random.Generator, first: int, size: int, clinics: int) -> Chunk:
    status = rng.choice(3, size=size, p=[0.08, 0.80, 0.12])
    eight = rng.random(size) < 0.2
    planned = np.where(eight, 8, 6)
    given = np.where(status == 1, planned, rng.integers(1, planned + 1))
    given = np.where(status == 2, np.maximum(1, np.minimum(given, planned - 1)), given)
    days = np.where(eight[:, None], EIGHT[None, :], SIX[None, :])
    last_day = days[np.arange(size), given - 1]
    responder = rng.random(size) < 0.6
    gain = np.where(responder, rng.uniform(0.3, 0.7, size), rng.uniform(-0.1, 0.25, size))
    return Chunk(first, size, rng.integers(0, clinics, size), status, planned, given, days, last_day,
                 np.clip(rng.normal(52, 10, size), 20, 80), gain, rng.exponential(25, size),
                 rng.uniform(-0.05, 0.12, size))


def _score(rng: np.random.Generator, c: Chunk, idx: np.ndarray, day: np.ndarray, top: float,
           scale: float) -> np.ndarray:
    """A PCL-5 (scale 1) or PHQ-9 (scale 27/80) total for courses ``idx`` on ``day``."""
    last = c.last_day[idx]
    ramp = np.clip(day / np.maximum(last + 1, 1), 0, 1)
    during = c.gain[idx] * ramp
    lost = (day - last) > c.relapse[idx]
    frac = np.where(day > last, np.where(lost, np.minimum(c.after[idx], c.gain[idx]), c.gain[idx]), during)
    value = c.base[idx] * scale * (1 - frac) + rng.normal(0, 3 * scale, idx.size)
    return np.clip(np.rint(value), 0, top).astype(np.int32)


def _slots(rng: np.random.Generator, c: Chunk) -> list[tuple[str, str, np.ndarray, np.ndarray]]:
    """(instrument, point, course indices, days) of every assessment of the chunk."""
    n = np.arange(c.size)
    done, stopped, active = c.status == 1, c.status == 2, c.status == 0
    out = []
    for instrument in ("pcl5", "phq9"):
        out.append((instrument, "baseline", n, np.full(c.size, -3)))
        for i in range(8):
            has = n[c.given > i]
            out.append((instrument, "pre_infusion", has, c.days[has, i] - 1))
        eoc = n[(done & (rng.random(c.size) < 0.97)) | (stopped & (rng.random(c.size) < 0.1))]
        out.append((instrument, "end_of_course", eoc, c.last_day[eoc] + 1))
        for point, after, keep in (("follow_1w", 7, 0.85), ("follow_1m", 30, 0.65), ("follow_3m", 90, 0.45)):
            has = n[~active & (rng.random(c.size) < keep * np.where(stopped, 0.4, 1.0))]
            out.append((instrument, point, has, c.last_day[has] + after))
    out.append(("pcl5", "post_first_24h", n, np.ones(c.size, dtype=np.int64)))
    extra = n[~active & (rng.random(c.size) < 0.3)]  # an unscheduled check two weeks after the course
    out.append(("pcl5", "unscheduled", extra, c.last_day[extra] + 14))
    again = n[rng.random(c.size) < 0.1]  # a second, earlier baseline: the last one counts
    out.append(("pcl5", "baseline", again, np.full(again.size, -10)))
    return out


def _assessments(rng: np.random.Generator, c: Chunk) -> dict[str, np.ndarray]:
    parts: dict[str, list[np.ndarray]] = {k: [] for k in ("idx", "day", "total", "instrument", "point")}
    names: list[tuple[str, str]] = []
    for code, (instrument, point, idx, day) in enumerate(_slots(rng, c)):
        top, scale = (80, 1.0) if instrument == "pcl5" else (27, 27 / 80)
        parts["idx"].append(idx)
        parts["day"].append(day.astype(np.int32))
        parts["total"].append(_score(rng, c, idx, day, top, scale))
        parts["instrument"].append(np.full(idx.size, 0 if instrument == "pcl5" else 1, dtype=np.int8))
        parts["point"].append(np.full(idx.size, code, dtype=np.int16))
        names.append((instrument, point))
    cols = {k: np.concatenate(v) for k, v in parts.items()}
    order = np.lexsort((cols["point"], cols["day"], cols["idx"]))
    cols = {k: v[order] for k, v in cols.items()}
    starts = np.searchsorted(cols["idx"], cols["idx"], side="left")
    cols["seq"] = (np.arange(cols["idx"].size) - starts).astype(np.int32)
    cols["point_name"] = np.array([p for _, p in names])[cols["point"]]
    return cols


def _names(first: int, size: int) -> np.ndarray:
    return np.array([f"C-{i:08X}" for i in range(first, first + size)])


def _tables(rng: np.random.Generator, c: Chunk) -> dict[str, pa.Table]:
    names, clinics = _names(c.first, c.size), np.array([f"K-{k:04d}" for k in c.clinic])
    ages = rng.choice(BANDS, c.size, p=[0.2, 0.28, 0.22, 0.16, 0.09, 0.04, 0.008, 0.002])
    courses = [names, clinics, STATUSES[c.status], ages, rng.choice(SEXES, c.size, p=[0.55, 0.43, 0.02]),
               rng.integers(2022, 2027, c.size), c.planned, c.given, c.last_day, c.first + np.arange(c.size)]
    a = _assessments(rng, c)
    total, pcl5 = a["total"], a["instrument"] == 0
    b = np.where(pcl5, np.rint(total * 0.25), np.nan)
    cc = np.where(pcl5, np.rint(total * 0.1), np.nan)
    d = np.where(pcl5, np.rint(total * 0.35), np.nan)
    e = np.where(pcl5, total - b - cc - d, np.nan)
    assessments = [names[a["idx"]], clinics[a["idx"]], np.array(["pcl5", "phq9"])[a["instrument"]], a["point_name"],
                   a["day"], total, b, cc, d, e, a["seq"], c.first + a["idx"]]
    return {"courses": _table("courses", courses), "assessments": _table("assessments", assessments),
            "infusions": _table("infusions", _infusions(rng, c, names, clinics))}


def _infusions(rng: np.random.Generator, c: Chunk, names: np.ndarray, clinics: np.ndarray) -> list[np.ndarray]:
    idx = np.repeat(np.arange(c.size), c.given)
    n = np.concatenate([np.arange(1, g + 1) for g in c.given]) if c.size else np.array([], dtype=int)
    m = idx.size
    sbp, dbp = rng.normal(128, 14, m), rng.normal(80, 9, m)
    peak_sbp, peak_dbp = sbp + rng.gamma(2.0, 8.0, m), dbp + rng.gamma(2.0, 5.5, m)
    ae = rng.random(m) < 0.06
    cadss = np.clip(np.rint(rng.gamma(0.7, 11.0, m)), 0, 92)
    return [names[idx], clinics[idx], n, c.days[idx, n - 1], np.rint(sbp), np.rint(dbp), np.rint(peak_sbp),
            np.rint(peak_dbp), rng.random(m) < 0.03, rng.random(m) < 0.01, rng.random(m) < 0.001,
            ae.astype(int), (ae & (rng.random(m) < 0.05)).astype(int),
            np.where(rng.random(m) < 0.9, cadss, np.nan), c.first + idx]


def _table(name: str, cols: list[np.ndarray]) -> pa.Table:
    schema = arrow_schema(name)
    arrays = []
    for col, fld in zip(cols, schema, strict=True):
        if pa.types.is_string(fld.type):
            arrays.append(pa.array(col, type=pa.string()))
        else:
            values = np.asarray(col, dtype=float)
            arrays.append(pa.array(np.nan_to_num(values).astype(np.int32), mask=np.isnan(values), type=pa.int32()))
    return pa.Table.from_arrays(arrays, schema=schema)


class _Writers:
    def __init__(self, out: Path, fmt: str) -> None:
        self.out, self.fmt, self.open = out, fmt, {}  # type: ignore[var-annotated]

    def write(self, name: str, table: pa.Table) -> None:
        if self.fmt == "parquet":
            import pyarrow.parquet as pq

            if name not in self.open:
                self.open[name] = pq.ParquetWriter(self.out / file_name(name, "parquet"), table.schema)
            self.open[name].write_table(table)
        else:
            import pyarrow.csv as pcsv

            path = self.out / file_name(name, "csv")
            with path.open("ab") as handle:
                if name not in self.open:
                    handle.write((",".join(table.column_names) + "\n").encode())
                pcsv.write_csv(table, handle, pcsv.WriteOptions(include_header=False, quoting_style="needed"))
            self.open[name] = True

    def close(self) -> None:
        for writer in self.open.values():
            if writer is not True:
                writer.close()


def progress_bar(stream: Any = sys.stdout, width: int = 30) -> Callable[[int, int], None]:
    stream = getattr(stream, "_out", stream)  # a management command's OutputWrapper adds newlines
    def show(done: int, total: int) -> None:
        filled = width * done // max(total, 1)
        end = "\n" if done >= total else ""
        stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} patients{end}")
        stream.flush()

    return show


def write_network(out: Path, patients: int, *, clinics: int | None = None, fmt: str = "parquet", seed: int = 2026,
                  progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """Write a synthetic network export of ``patients`` courses (one course each); return the row counts."""
    if patients < 1:
        raise ValueError("--network takes a number of patients of at least 1.")
    out.mkdir(parents=True, exist_ok=True)
    for table in TABLES:
        (out / file_name(table, fmt)).unlink(missing_ok=True)
    rng = np.random.default_rng(seed)
    clinics = clinics or max(1, patients // 5000)
    writers, counts = _Writers(out, fmt), dict.fromkeys(TABLES, 0)
    try:
        for first in range(0, patients, CHUNK):
            chunk = _courses(rng, first, min(CHUNK, patients - first), clinics)
            for name, table in _tables(rng, chunk).items():
                writers.write(name, table)
                counts[name] += table.num_rows
            if progress:
                progress(first + chunk.size, patients)
    finally:
        writers.close()
    return counts


def write_network_command(command: Any, options: dict[str, Any]) -> None:
    """`ketacare demo --network N [--out DIR] [--format parquet|csv]`."""
    from django.conf import settings

    out = Path(options["out"] or Path(settings.VAR_DIR) / "network-export")
    try:
        counts = write_network(out, int(options["network"]), fmt=str(options["format"]), seed=int(options["seed"]),
                               progress=progress_bar(command.stdout))
    except (ValueError, OSError) as exc:
        command.stderr.write(f"ketacare demo --network: {exc}")
        raise SystemExit(2) from exc
    command.stdout.write(f"Wrote a synthetic network export to {out}: {counts['courses']:,} courses, "
                         f"{counts['assessments']:,} assessments, {counts['infusions']:,} infusions. "
                         f"Report: ketacare report outcomes --from {out}")
