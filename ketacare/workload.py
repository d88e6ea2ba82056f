"""A clinic's ordinary concurrent load on real threads, for the concurrency test and its benchmark.

Threads type vitals, file monitor messages through the HL7 filing service, acknowledge alerts,
draw from the ledger and read charts, each on its own database connection, for a bounded time.
A refusal a clinician could meet (an alert already acknowledged, an empty vial) is counted as a
refusal; anything else (a deadlock, a lock timeout, a 500, an ACK that is not AA) is an error.
The lock order these services keep is written in ADR 0010 and `ketacare/locking.py`.
"""

import itertools
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connections

from toolkit.errors import ServiceError

KINDS = ("vitals", "monitor", "ack", "draw", "chart")
_control_ids = itertools.count(1)


@dataclass
class Floor:
    """One clinic's running sessions, its stock and the staff who act on them."""

    clinic: Any
    nurse: Any
    prescriber: Any
    sessions: list[Any]
    vials: list[Any]


@dataclass
class Outcome:
    """What the threads did: operations done, refusals met, and every unexpected error."""

    seconds: float
    done: Counter = field(default_factory=Counter)
    refused: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    @property
    def writes_per_s(self) -> float:
        writes = sum(n for kind, n in self.done.items() if kind != "chart")
        return writes / self.seconds if self.seconds else 0.0


def build_floor(world: Any, *, sessions: int = 3, vials: int = 30) -> Floor:
    """Clinic A of the test world with `sessions` infusing sessions and a stocked safe."""
    from accounts.choices import Role
    from courses import services as courses
    from infusions import services as infusions
    from infusions.tests.helpers import check_in, t0, verify
    from inventory.tests.conftest import build_stock
    from ketacare.testing import make_chair, make_eligible_patient, make_protocol, make_session
    from ketacare.testing_ledger import draw_for

    nurse, prescriber = world.users[Role.NURSE], world.users[Role.PRESCRIBER]
    protocol, start = make_protocol(world), t0(hours_ago=1)
    stock = build_stock(world, vials=vials)
    running = []
    for i in range(sessions):
        patient = make_eligible_patient(world, mrn=f"LOAD-{i:03d}")
        course = courses.order_course(patient=patient, protocol=protocol, by=prescriber, at=start - timedelta(days=30))
        booked = make_session(world, start, course=course, chair=make_chair(world, name=f"Load chair {i}"))
        session = check_in(world, booked, at=start)
        session = verify(world, session, at=start + timedelta(minutes=5))
        draw_for(session, by=nurse, at=start + timedelta(minutes=6))  # no start without the dose drawn (ADR 0015)
        running.append(infusions.start(session=session, at=start + timedelta(minutes=10), by=nurse))
    for session in running:  # open alerts for the acknowledging threads to start on
        infusions.record_vitals(session=session, by=nurse, values={"systolic_mmhg": 186, "diastolic_mmhg": 96})
    from interop.services import default_sender

    default_sender(world.a, at=start, by="workload")  # the monitor thread sends as the simulated monitor
    return Floor(clinic=world.a, nurse=nurse, prescriber=prescriber, sessions=running, vials=stock.vials)


def _vitals(floor: Floor, rng: random.Random) -> None:
    from infusions import services as infusions

    infusions.record_vitals(session=rng.choice(floor.sessions), by=floor.nurse, values={
        "systolic_mmhg": rng.choice((118, 124, 131, 186)), "diastolic_mmhg": 80, "heart_rate_bpm": 72,
        "spo2_pct": "98", "resp_rate_per_min": 14})


def _monitor(floor: Floor, rng: random.Random) -> None:
    from zoneinfo import ZoneInfo

    from clinical.hl7.samples import SampleStyle, SampleVitals, sample_oru
    from interop import services as interop

    session = rng.choice(floor.sessions)
    observed = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=30)
    raw = sample_oru(SampleStyle.PCD01_MDC, mrn=session.patient.mrn, chair=session.chair.name,
                     control_id=f"LOAD{next(_control_ids)}-{rng.randrange(10**9)}",
                     observed_at=observed.astimezone(ZoneInfo(floor.clinic.time_zone)),
                     vitals=SampleVitals(systolic_mmhg=Decimal(rng.choice((120, 126, 188)))))
    filing = interop.file_hl7_message(clinic=floor.clinic, raw=raw.encode())
    if filing.code != "AA":
        raise AssertionError(f"monitor message answered {filing.code}: {filing.text}")


def _ack(floor: Floor, rng: random.Random) -> None:
    from alerts import services as alerts
    from alerts.models import Alert

    open_ids = list(Alert.objects.filter(clinic=floor.clinic, acknowledged_at__isnull=True).values_list("pk", flat=True)[:20])
    if not open_ids:
        raise ServiceError("No open alert to acknowledge.")
    alert = Alert.objects.get(pk=rng.choice(open_ids))
    alerts.acknowledge_alert(alert=alert, action_note="Repeated the reading; patient comfortable.", by=floor.nurse)


def _draw(floor: Floor, rng: random.Random) -> None:
    from inventory import services as inventory

    inventory.draw_for_session(session=rng.choice(floor.sessions), container=rng.choice(floor.vials),
                               ml=Decimal("0.1"), by=floor.nurse)


def _chart(floor: Floor, rng: random.Random, client: Any) -> None:
    response = client.get(f"/patients/{rng.choice(floor.sessions).patient_id}/")
    if response.status_code != 200:
        raise AssertionError(f"chart answered {response.status_code}")


def _operation(kind: str, floor: Floor) -> Callable[[random.Random], None]:
    if kind == "chart":
        from django.test import Client

        client = Client()
        client.force_login(floor.prescriber)
        return lambda rng: _chart(floor, rng, client)
    write = {"vitals": _vitals, "monitor": _monitor, "ack": _ack, "draw": _draw}[kind]
    return lambda rng: write(floor, rng)


def run_load(floor: Floor, *, seconds: float = 3.0, threads_per_kind: int = 2, kinds: tuple[str, ...] = KINDS,
             max_seconds: float | None = None) -> Outcome:
    """Run every kind of operation on its own threads for `seconds`; return the outcome.

    With `max_seconds`, a kind that has not yet finished one operation when `seconds` pass keeps
    going until it has, or until `max_seconds` (a busy machine must not make the test vacuous).
    """
    outcome, lock = Outcome(seconds=seconds), threading.Lock()
    jobs = [(kind, n) for kind in kinds for n in range(threads_per_kind)]
    barrier = threading.Barrier(len(jobs))
    deadline: list[float] = []

    def work(kind: str, seed: int) -> None:
        rng = random.Random(seed)  # noqa: S311 - synthetic load, not secrets
        try:
            operation = _operation(kind, floor)
            barrier.wait(timeout=30)
            if not deadline:
                deadline.append(time.monotonic() + seconds)
            while time.monotonic() < deadline[0] or _unfinished(kind, outcome, deadline[0], max_seconds, seconds):
                _one(kind, operation, rng, outcome, lock)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(kind, 1000 * i + n), daemon=True) for i, (kind, n) in enumerate(jobs)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 60)
    outcome.seconds = time.monotonic() - (deadline[0] - seconds if deadline else started)
    if any(t.is_alive() for t in threads):
        outcome.errors.append("a worker thread did not finish in time")
    return outcome


def run_serial(floor: Floor, *, seconds: float = 3.0, kinds: tuple[str, ...] = KINDS) -> Outcome:
    """The same operations one after another on this thread: the baseline the threaded load is read against."""
    outcome, lock = Outcome(seconds=seconds), threading.Lock()
    operations = [(kind, _operation(kind, floor)) for kind in kinds]
    rng = random.Random(7)  # noqa: S311 - synthetic load, not secrets
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        for kind, operation in operations:
            _one(kind, operation, rng, outcome, lock)
    outcome.seconds = time.monotonic() - started
    return outcome


def _unfinished(kind: str, outcome: Outcome, deadline: float, max_seconds: float | None, seconds: float) -> bool:
    if max_seconds is None or time.monotonic() > deadline - seconds + max_seconds:
        return False
    return outcome.done[kind] == 0 and not outcome.errors


def _one(kind: str, operation: Callable[[random.Random], None], rng: random.Random, outcome: Outcome,
         lock: threading.Lock) -> None:
    try:
        operation(rng)
    except ServiceError:
        with lock:
            outcome.refused[kind] += 1
    except Exception as exc:  # noqa: BLE001 - every other failure is what the test counts
        with lock:
            outcome.errors.append(f"{kind}: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
    else:
        with lock:
            outcome.done[kind] += 1
