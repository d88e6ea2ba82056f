"""The monitor feed end to end: 8 senders over TCP, each waiting for its ACK, against the minimal baseline.

Three figures, each beside the baseline measured in the same run (bench/mllp_baseline.py):
messages filed a second with ACK after commit; ACK p99 at a paced 1,000 messages a second.
The listener runs in this process (its event loop and filing threads); the monitors and the
baseline each run in a process of their own. KETACARE_BENCH_HL7_SECONDS sets each run's length.
"""

import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
SENDERS = 8
SECONDS = float(os.environ.get("KETACARE_BENCH_HL7_SECONDS", 4))
PACED_PER_S = 1000


def _sessions(n: int) -> list:
    """n sessions infusing now, one patient and chair each, walked through the services."""
    from accounts.choices import Role
    from infusions import services
    from infusions.tests.helpers import check_in, second_nurse
    from interop.services import default_sender
    from ketacare.testing import build_world, make_chair, make_course, make_session

    world = build_world()
    default_sender(world.a, at=datetime.now(UTC), by="bench")
    start = (datetime.now(UTC) - timedelta(hours=1)).replace(second=0, microsecond=0)
    sessions = []
    for i in range(n):
        course = make_course(world, mrn=f"BENCH-{i:03d}")
        session = make_session(world, start, course=course, chair=make_chair(world, name=f"Bed {i + 1}"))
        session = check_in(world, session, at=start)
        session = services.verify_dose(session=session, total_mg=session.total_mg, rate_ml_per_h=session.rate_ml_per_h,
                                       at=start + timedelta(minutes=5), by=second_nurse(world))
        sessions.append(services.start(session=session, at=start + timedelta(minutes=10), by=world.users[Role.NURSE]))
    return sessions


def _frames(sessions: list, per_sender: int, prefix: str) -> list[list[bytes]]:
    from clinical.hl7 import frame
    from clinical.hl7.samples import SampleStyle, sample_oru

    at = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    out = []
    for n, session in enumerate(sessions):
        template = sample_oru(SampleStyle.PCD01_MDC, mrn=session.patient.mrn, chair=session.chair.name,
                              control_id="CTLID", observed_at=at)
        out.append([frame(template.replace("CTLID", f"{prefix}{n}-{i}")) for i in range(per_sender)])
    return out


def _drive(port: int, frames: list[list[bytes]], seconds: float, pace_s: float) -> tuple[int, float, list[float], dict]:
    """Run the monitors in their own process against 127.0.0.1:port; return what they measured."""
    job = Path(tempfile.mkdtemp()) / "job.pickle"
    job.write_bytes(pickle.dumps(("127.0.0.1", port, frames, seconds, pace_s)))
    subprocess.run([sys.executable, str(HERE / "mllp_client.py"), str(job)], check=True, timeout=seconds + 300)  # noqa: S603
    return pickle.loads(Path(f"{job}.out").read_bytes())  # noqa: S301 - written by our own client


def _p99_ms(latencies: list[float]) -> float:
    return statistics.quantiles(latencies, n=100)[98] * 1000 if len(latencies) >= 100 else float("nan")


def _ours(sessions: list) -> dict:
    from interop.hl7.listener import MllpListener

    listener = MllpListener(clinic=sessions[0].clinic, port=0).start()
    try:
        full = _drive(listener.address[1], _frames(sessions, 60_000, "F"), SECONDS, 0.0)
        stats = listener.stats()
        paced = _drive(listener.address[1], _frames(sessions, int(SECONDS * PACED_PER_S / SENDERS) + 10, "P"),
                       SECONDS, SENDERS / PACED_PER_S)
    finally:
        listener.stop()
    return {"full": full, "paced": paced, "stats": stats}


def _baseline(sessions: list) -> dict:
    db = Path(tempfile.mkdtemp()) / "baseline.sqlite3"
    server = subprocess.Popen([sys.executable, str(HERE / "mllp_baseline.py"), str(db)],  # noqa: S603
                              stdout=subprocess.PIPE, text=True)
    try:
        port = int(server.stdout.readline())
        full = _drive(port, _frames(sessions, 60_000, "BF"), SECONDS, 0.0)
        paced = _drive(port, _frames(sessions, int(SECONDS * PACED_PER_S / SENDERS) + 10, "BP"), SECONDS,
                       SENDERS / PACED_PER_S)
    finally:
        server.kill()
        server.wait(timeout=10)
    return {"full": full, "paced": paced}


def _fsync_ms(directory: Path) -> dict[str, float]:
    """The durability floor where the database lives (median ms): append + fsync, overwrite + fdatasync, a WAL commit.

    A growing file's fsync also commits the file system's journal; SQLite's WAL, once it has wrapped,
    overwrites blocks in place (fdatasync); the last figure is one durable one-row SQLite commit
    (WAL, synchronous=FULL), the floor under any batch the listener commits.
    """
    import sqlite3

    path = directory / "fsync-probe"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    append, overwrite, commit = [], [], []
    try:
        for _ in range(50):
            start = time.perf_counter()
            os.write(fd, b"x" * 4096)
            os.fsync(fd)
            append.append(time.perf_counter() - start)
        for _ in range(50):
            os.lseek(fd, 0, os.SEEK_SET)
            start = time.perf_counter()
            os.write(fd, b"y" * 4096)
            os.fdatasync(fd)
            overwrite.append(time.perf_counter() - start)
    finally:
        os.close(fd)
        path.unlink()
    db_path = directory / "fsync-probe.sqlite3"
    db = sqlite3.connect(db_path, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("CREATE TABLE t (v TEXT)")
        for n in range(200):
            start = time.perf_counter()
            db.execute("BEGIN IMMEDIATE")
            db.execute("INSERT INTO t VALUES (?)", (str(n) * 50,))
            db.execute("COMMIT")
            commit.append(time.perf_counter() - start)
    finally:
        db.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    return {name: statistics.median(values) * 1000 for name, values in
            (("append", append), ("overwrite", overwrite), ("commit", commit))}


def bench_hl7_feed() -> None:
    from django.db import connection

    from interop.models import Hl7Message

    fsync = _fsync_ms(Path(str(connection.settings_dict["NAME"])).parent) if connection.vendor == "sqlite" else {}
    sessions = _sessions(SENDERS)
    ours, base = _ours(sessions), _baseline(sessions)
    (n, secs, lat, codes), (bn, bsecs, blat, _) = ours["full"], base["full"]
    if set(codes) != {"AA"} or Hl7Message.objects.filter(status="filed").count() < n:
        raise SystemExit(f"bench: the listener did not file every message it acknowledged ({codes})")
    rate, brate = n / secs, bn / bsecs
    print(f"{'HL7 feed, 8 senders, ACK after commit':<34} {rate:>12,.0f} msg/s  baseline {'python-hl7, 1 commit/msg':<28}"
          f" {brate:>12,.0f} msg/s  ratio {rate / brate:5.2f}")
    print(f"{'  ACK p99 at full load':<34} {_p99_ms(lat):>12.1f} ms     baseline {'':<28} {_p99_ms(blat):>12.1f} ms")
    pn, psecs, plat, _ = ours["paced"]
    bpn, bpsecs, bplat, _ = base["paced"]
    print(f"{'  ACK p99 paced at 1,000 msg/s':<34} {_p99_ms(plat):>12.1f} ms     baseline {'':<28} {_p99_ms(bplat):>12.1f} ms"
          f"   (reached {pn / psecs:,.0f} and {bpn / bpsecs:,.0f} msg/s)")
    stats = ours["stats"]
    print(f"{'  group commit':<34} {stats['batches']:>12,} batches, {stats['filed'] / max(1, stats['batches']):.1f} "
          f"messages each on average, largest {stats['largest_batch']}")
    cpu_us = stats["filer_cpu_s"] / max(1, stats["filed"]) * 1e6
    print(f"{'  filing thread CPU per message':<34} {cpu_us:>12,.0f} us     (parse, file, ACK: one free core would file "
          f"{1e6 / max(cpu_us, 1):,.0f} msg/s)")
    if fsync:
        floor = fsync["commit"]
        print(f"{'  disk: durable commit floor':<34} {floor:>12.2f} ms     (SQLite WAL FULL one-row commit; append+fsync "
              f"{fsync['append']:.2f} ms, overwrite+fdatasync {fsync['overwrite']:.2f} ms)")
        print(f"{'  ceiling, 8 senders each waiting':<34} {SENDERS * 1000 / (floor + SENDERS * cpu_us / 1000):>12,.0f} msg/s"
              f"  = 8 / (commit floor + 8 x filing CPU); load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
