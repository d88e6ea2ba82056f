"""The outcome engine at network scale: the whole report from a Parquet export, beside pandas + lifelines.

`make bench` runs it at 100,000 patients; KETACARE_BENCH_PATIENTS=1000000 runs the issue's
1,000,000 patients / ~20,000,000 assessments. Each side runs in its own process so its peak
memory is its own; timings exclude interpreter start and imports, include reading the files.
The baseline must print the engine's figures (checked, to the sixth decimal).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHILD = """
import json, resource, sys, time
sys.path.insert(0, {root!r}); sys.path.insert(0, {bench!r})
from pathlib import Path
from clinical.outcomes_report import ReportDefinitions
side, directory, rounds = {side!r}, Path({directory!r}), {rounds}
if side == "engine":
    from outcomes.report import from_exports
    run = lambda: from_exports([directory], ReportDefinitions())
else:
    import outcomes_baseline
    run = lambda: outcomes_baseline.report(directory, ReportDefinitions())
times, cpu = [], []
for _ in range(rounds):
    start, start_cpu = time.perf_counter(), time.process_time()
    report = run()
    times.append(time.perf_counter() - start); cpu.append(time.process_time() - start_cpu)
report.pop("definitions", None)
print(json.dumps({{"times": times, "cpu": cpu, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "report": report}}))
"""


def _child(side: str, directory: Path, rounds: int) -> dict:
    code = CHILD.format(root=str(ROOT), bench=str(ROOT / "bench"), side=side, directory=str(directory), rounds=rounds)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ketacare.settings"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,  # noqa: S603 - our code
                          check=False)
    if done.returncode != 0:
        raise SystemExit(f"bench: the {side} run failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _export(patients: int) -> Path:
    from outcomes.synthetic import progress_bar, write_network

    var = Path(os.environ.get("KETACARE_VAR_DIR", ROOT / "var"))
    directory = var / f"bench-network-{patients}"
    if not (directory / "assessments.parquet").is_file():
        print(f"writing a synthetic network export of {patients:,} patients to {directory}")
        write_network(directory, patients, progress=progress_bar())
    return directory


def _rows(directory: Path) -> tuple[int, int]:
    import pyarrow.parquet as pq

    return (pq.ParquetFile(directory / "courses.parquet").metadata.num_rows,
            pq.ParquetFile(directory / "assessments.parquet").metadata.num_rows)


def _differences(a: object, b: object, path: str = "") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        keys = sorted(set(a) | set(b))
        return [d for k in keys for d in _differences(a.get(k), b.get(k), f"{path}.{k}")]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in _differences(x, y, f"{path}[{i}]")]
    if isinstance(a, float) and isinstance(b, float):
        return [] if abs(a - b) <= 1e-6 * max(1.0, abs(a)) else [f"{path}: {a} != {b}"]
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]


def bench_outcomes(patients: int | None = None) -> None:
    patients = patients or int(os.environ.get("KETACARE_BENCH_PATIENTS", "100000"))
    directory = _export(patients)
    courses, assessments = _rows(directory)
    engine = _child("engine", directory, 5)
    baseline = _child("baseline", directory, 1)
    ours, theirs = statistics.median(engine["times"]), baseline["times"][0]
    ours_cpu, theirs_cpu = statistics.median(engine["cpu"]), baseline["cpu"][0]
    load = os.getloadavg()[0]
    diffs = _differences(engine["report"], {**baseline["report"], "durability_curve": None}
                         if "durability_curve" in engine["report"] else baseline["report"])
    print(f"outcome report, {courses:,} courses / {assessments:,} assessments (Parquet):")
    print(f"  engine (DuckDB + lifelines)   {ours:8.2f} s wall {ours_cpu:8.2f} s CPU   peak RSS "
          f"{engine['rss_mb']:7.0f} MB   (median of {len(engine['times'])}; first run {engine['times'][0]:.2f} s)")
    print(f"  baseline (pandas + lifelines) {theirs:8.2f} s wall {theirs_cpu:8.2f} s CPU   peak RSS "
          f"{baseline['rss_mb']:7.0f} MB")
    print(f"  machine load average {load:.1f} on {os.cpu_count()} cores (wall times stretch with it)")
    print(f"  ratio {theirs / ours:5.1f}x faster; goal <= 2 s and >= 3x; "
          f"figures {'agree' if not diffs else 'DIFFER: ' + '; '.join(diffs[:5])}")
    d = engine["report"]["durability"]
    print(f"  e.g. durability n={d['n']} events={d['events']} median={d['median_days']} days; "
          f"ITT response {engine['report']['response_end_of_course']['itt']['rate']}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketacare.settings")
    started = time.perf_counter()
    bench_outcomes(int(sys.argv[1]) if len(sys.argv) > 1 else None)
    print(f"(bench took {time.perf_counter() - started:.0f} s)")
