"""The concurrency test's load as a benchmark: writes/s and errors on SQLite and on PostgreSQL.

`bench/run.py` runs this file once per database in a child process (each needs its own settings):
a throwaway SQLite file, and a throwaway PostgreSQL database when a server answers on
127.0.0.1:5432 (KETACARE_BENCH_PG, default postgres://postgres@127.0.0.1:5432). Each child prints
one JSON line: the threaded load (2 threads per kind) and, as the baseline, the same operations
one after another on one thread, both for KETACARE_BENCH_SECONDS (default 5).
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("KETACARE_BENCH_PG", "postgres://postgres@127.0.0.1:5432")


def child() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketacare.settings")
    os.environ.setdefault("KETACARE_FAST_HASHER", "true")
    import django

    django.setup()
    from django.core.management import call_command

    from ketacare.testing import build_world
    from ketacare.workload import build_floor, run_load, run_serial

    call_command("migrate", verbosity=0)
    seconds = float(os.environ.get("KETACARE_BENCH_SECONDS", "5"))
    floor = build_floor(build_world())
    serial = run_serial(floor, seconds=seconds)
    threaded = run_load(floor, seconds=seconds)
    appends = audit_appends(seconds=min(seconds, 3.0))
    print(json.dumps({
        "vendor": django.db.connection.vendor, "appends": appends,
        "threaded": {"writes_per_s": threaded.writes_per_s, "errors": len(threaded.errors),
                     "done": dict(threaded.done), "first_errors": threaded.errors[:3]},
        "serial": {"writes_per_s": serial.writes_per_s, "errors": len(serial.errors)},
    }))


def audit_appends(*, seconds: float, threads: int = 8, clinics: int = 4) -> dict:
    """Audited writes per second: `threads` threads over `clinics` clinics, beside the same on one thread."""
    import threading
    import time

    from django.db import connections, transaction

    from accounts.services import create_clinic
    from audit import services as audit

    rooms = [create_clinic(name=f"Append {i}", slug=f"append-{i}-{time.time_ns()}", by="bench") for i in range(clinics)]

    def append(i: int) -> None:
        with transaction.atomic():
            audit.record(action="bench_write", by="bench", clinic=rooms[i % clinics], detail={"n": i})

    def loop(i: int, until: float, counts: list[int], errors: list[str]) -> None:
        try:
            while time.monotonic() < until:
                append(i)
                counts[i] += 1
        except Exception as exc:  # noqa: BLE001 - counted and shown
            errors.append(repr(exc)[:200])
        finally:
            connections.close_all()

    one, errs1 = [0], list[str]()
    start = time.monotonic()
    loop(0, start + seconds, one, errs1)
    single = one[0] / (time.monotonic() - start)
    counts, errors = [0] * threads, list[str]()
    start = time.monotonic()
    workers = [threading.Thread(target=loop, args=(i, start + seconds, counts, errors)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return {"threaded": sum(counts) / (time.monotonic() - start), "single": single, "errors": len(errors) + len(errs1),
            "threads": threads, "clinics": clinics}


def _run(database_url: str) -> dict | None:
    env = {**os.environ, "DATABASE_URL": database_url}
    done = subprocess.run([sys.executable, __file__, "--child"], env=env, capture_output=True, text=True, timeout=600,  # noqa: S603
                          check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        print(f"  concurrency bench failed on {database_url.split(':')[0]}: {done.stderr.strip()[-400:]}")
        return None
    return json.loads(lines[-1])


def _postgres_database() -> str | None:
    """Create a throwaway PostgreSQL database; None when no server answers."""
    try:
        import psycopg

        name = f"ketacare_bench_{os.getpid()}"
        with psycopg.connect(f"{PG}/postgres", autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return name
    except Exception:  # noqa: BLE001 - no server: the PostgreSQL row is skipped
        return None


def _drop(name: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def bench_concurrency() -> None:
    """Print the threaded clinic load beside the same operations run one after another."""
    results = [_run(f"sqlite:///{tempfile.mkdtemp()}/concurrency.sqlite3")]
    pg = _postgres_database()
    if pg is None:
        print("  (no PostgreSQL on 127.0.0.1:5432: the PostgreSQL concurrency row is skipped)")
    else:
        try:
            results.append(_run(f"{PG}/{pg}"))
        finally:
            _drop(pg)
    for result in filter(None, results):
        threaded, serial = result["threaded"], result["serial"]
        name = f"clinic load, 10 threads ({result['vendor']})"
        print(f"{name:<34} {threaded['writes_per_s']:>12,.1f} writes/s errors {threaded['errors']:<4} baseline "
              f"{'same ops, one thread':<19} {serial['writes_per_s']:>8,.1f} writes/s errors {serial['errors']:<4} "
              f"ratio {threaded['writes_per_s'] / max(serial['writes_per_s'], 1e-9):5.2f}")
        print(f"{'':<34} done {threaded['done']}" + (f" first errors {threaded['first_errors']}" if threaded["errors"] else ""))
        appends = result["appends"]
        name = f"audit appends, {appends['threads']} thr/{appends['clinics']} clinics ({result['vendor']})"
        print(f"{name:<34} {appends['threaded']:>12,.1f} events/s errors {appends['errors']:<4} baseline "
              f"{'same, one thread':<19} {appends['single']:>8,.1f} events/s          "
              f"ratio {appends['threaded'] / max(appends['single'], 1e-9):5.2f}")


if __name__ == "__main__" and "--child" in sys.argv:
    child()
