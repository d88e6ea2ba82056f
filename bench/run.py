"""`make bench`: time the hot paths, each beside a baseline measured in the same run.

Figures are printed, never asserted: the ratio to the baseline is what to watch between commits.
Uses a throwaway SQLite database (or DATABASE_URL if set to PostgreSQL).
"""

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the project, and `bench` as a package
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketacare.settings")
os.environ.setdefault("KETACARE_FAST_HASHER", "true")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

REPEATS = 5


def rate(fn: Callable[[], object], n: int) -> float:
    """Median operations per second of `fn` over REPEATS rounds of n calls."""
    rounds = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        rounds.append(n / (time.perf_counter() - start))
    return statistics.median(rounds)


def report(name: str, subject: float, baseline: float, baseline_name: str) -> None:
    print(f"{name:<34} {subject:>12,.0f} ops/s   baseline {baseline_name:<28} {baseline:>12,.0f} ops/s   "
          f"ratio {subject / baseline:5.2f}")


def bench_scoring() -> None:
    from clinical.instruments import score

    items = [1, 2, 0, 3, 4, 2, 1, 0, 2, 3, 1, 2, 2, 1, 0, 3, 2, 1, 2, 1]
    report("PCL-5 scoring (kernel, validated)", rate(lambda: score("pcl5", items), 2000),
           rate(lambda: sum(items), 2000), "plain sum of items")


def bench_hl7() -> None:
    import hl7

    from clinical.hl7 import parse_oru
    from clinical.hl7.samples import SampleStyle, sample_oru

    msg = sample_oru(SampleStyle.PCD01_MDC, mrn="DEMO-0001", chair="CHAIR1", control_id="BENCH1",
                     observed_at=datetime(2026, 11, 27, 12, 0, tzinfo=UTC))
    report("HL7 ORU^R01 parse + map (kernel)", rate(lambda: parse_oru(msg, default_tz=UTC), 500),
           rate(lambda: hl7.parse(msg.replace("\n", "\r")), 500), "python-hl7 parse alone")


def bench_audit() -> None:
    """Audit appends (a write sealed into its clinic's chain; a read, one insert) beside a one-row update."""
    from accounts.models import Clinic
    from accounts.services import create_clinic
    from audit import services as audit

    clinic = create_clinic(name="Bench", slug=f"bench-{time.time_ns()}", by="bench")

    def write_event() -> None:
        with transaction.atomic():
            audit.record(action="bench_write", by="bench", clinic=clinic, detail={"n": 1})

    def read_event() -> None:
        with transaction.atomic():
            audit.record(action="bench_view", by="bench", clinic=clinic, detail={"n": 1})

    def plain() -> None:
        with transaction.atomic():
            Clinic.objects.filter(pk=clinic.pk).update(name="Bench")

    baseline = rate(plain, 200)
    report("audit append, write (sealed)", rate(write_event, 200), baseline, "one-row update, own txn")
    report("audit append, read (insert only)", rate(read_event, 200), baseline, "one-row update, own txn")
    audit.seal_all()


def bench_vitals() -> None:
    """File a monitor message (parse, match, store, alerts, audit) against typing the same reading."""
    import itertools
    import random
    from datetime import timedelta
    from decimal import Decimal

    from accounts.choices import Role
    from clinical.hl7.samples import SampleStyle, SampleVitals, sample_oru
    from infusions import services as infusions
    from interop import services as interop
    from ketacare.demo import build_apps
    from ketacare.management.commands.demo import Command

    ctx = Command()._context(11, lambda m: None)
    ctx.small = True
    build_apps(ctx)
    session = ctx.mrn("DEMO-0001").sessions[2]
    session.refresh_from_db()
    nurse, counter = ctx.users[Role.NURSE], itertools.count()
    rng = random.Random(5)

    def monitor() -> None:
        n = next(counter)
        msg = sample_oru(SampleStyle.PCD01_MDC, mrn="DEMO-0001", chair=session.chair.name, control_id=f"B{n}",
                         observed_at=datetime.now(UTC) - timedelta(seconds=n % 50),
                         vitals=SampleVitals(systolic_mmhg=Decimal(120 + rng.randint(0, 10))))
        filing = interop.file_hl7_message(clinic=ctx.clinic, raw=msg)
        if filing.code != "AA":
            raise SystemExit(f"bench: the monitor message was not filed ({filing.code}: {filing.text})")

    def typed() -> None:
        infusions.record_vitals(session=session, by=nurse, values={
            "systolic_mmhg": 120 + rng.randint(0, 10), "diastolic_mmhg": 80, "heart_rate_bpm": 70, "spo2_pct": 98,
            "resp_rate_per_min": 14})

    report("monitor message filed (HL7 -> rows)", rate(monitor, 40), rate(typed, 40), "same reading typed in")


def bench_outcomes() -> None:
    """The outcome report at network scale (KETACARE_BENCH_PATIENTS, default 100,000) and one clinic's page."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from outcomes_bench import bench_outcomes as network
    from outcomes_page import bench_outcomes_page

    network()
    bench_outcomes_page()


def bench_web() -> None:
    """Pages under gunicorn with 100 signed-in users beside a bare Django view (bench/web.py), on a prepared database.

    Set KETACARE_BENCH_WEB_DATABASE_URL to a PostgreSQL database built with
    `ketacare demo --reset --patients N` (the issue's N is 100,000); without it the bench says so and skips.
    """
    import subprocess

    url = os.environ.get("KETACARE_BENCH_WEB_DATABASE_URL")
    if not url:
        print("web pages under load                skipped: set KETACARE_BENCH_WEB_DATABASE_URL to a database built "
              "with `ketacare demo --reset --patients N`")
        return
    subprocess.run([sys.executable, str(Path(__file__).with_name("web.py"))],  # noqa: S603 - our own script
                   env={**os.environ, "DATABASE_URL": url}, check=False)


def main() -> None:
    from bench.hl7_feed import bench_hl7_feed

    call_command("migrate", verbosity=0)
    print(f"KetaCare benchmarks · {django.db.connection.vendor} · median of {REPEATS} rounds")
    from bench.concurrency import bench_concurrency  # run per database in child processes
    from bench.fhir_export import bench_fhir
    from bench.planner import bench_planner

    only = set(sys.argv[1:])
    for bench in (bench_scoring, bench_hl7, bench_audit, bench_vitals, bench_fhir, bench_planner, bench_hl7_feed,
                  bench_outcomes, bench_concurrency, bench_web):
        if not only or bench.__name__ in only:
            bench()


if __name__ == "__main__":
    main()
