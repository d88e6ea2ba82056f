"""`ketacare demo --patients N`: synthetic patients in bulk, for pages and benchmarks at clinic scale.

Rows are inserted with `bulk_create` through the models (no web client, no per-row service
call), `BATCH` patients to a transaction, and the stored read models (the due assessment slots)
are then computed for the new courses as the services would have (ADR 0013). Each patient gets
about `ROWS_PER_PATIENT` vital-sign sets and assessments, so the database grows in proportion to N
(10 million rows at 100,000 patients). Synthetic data only: made-up names, MRNs `BULK-0000001`...
Bulk rows leave no audit events: they record nothing that happened.
"""

import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, TextIO

from clinical.instruments import score

BATCH = 500
CHAIRS = 24
VITALS_PER_SESSION = 18
ROWS_PER_PATIENT = 103  # measured: about 90 vital-sign sets and 13 assessments (10.3 million at 100,000)
GIVEN = ("Alex", "Sam", "Jordan", "Casey", "Riley", "Morgan", "Taylor", "Jamie", "Avery", "Quinn", "Rowan", "Skyler")
FAMILY = ("Adler", "Brooks", "Carver", "Dalton", "Ellis", "Fenwick", "Garner", "Hollis", "Irving", "Jarvis", "Keller",
          "Lowell", "Mercer", "Norris", "Oakley", "Prescott", "Quincy", "Radley", "Sutton", "Thorne", "Upton", "Vance")
ITEMS = {  # a mild, a moderate and a severe answer set of each instrument (scored once, reused)
    "pcl5": ([1] * 20, [2] * 20, [3] * 20),
    "phq9": ([0] * 9, [1] * 9, [2] * 8 + [0]),
    "gad7": ([0] * 7, [1] * 7, [2] * 7),
    "cssrs": ([0, 0, None, None, None, 0, None],) * 3,
}


@dataclass
class Plan:
    """What one synthetic patient's course looks like."""

    status: str  # completed | active
    started: datetime
    held: int  # infusions given
    booked: int  # infusions still booked (active courses)


class Bar:
    """A progress bar on a text stream: `[#####.....] 45% 45,000/100,000 patients, 812/s, 1m 10s left`."""

    def __init__(self, total: int, stream: TextIO = sys.stderr, what: str = "patients") -> None:
        self.total, self.stream, self.what, self.started = total, stream, what, time.monotonic()

    def show(self, done: int, note: str = "") -> None:
        spent = max(time.monotonic() - self.started, 1e-6)
        share = done / self.total if self.total else 1.0
        left = (self.total - done) / (done / spent) if done else 0.0
        bar = "#" * int(share * 30) + "." * (30 - int(share * 30))
        self.stream.write(f"\r[{bar}] {share:4.0%} {done:,}/{self.total:,} {self.what}, {done / spent:,.0f}/s, "
                          f"{int(left) // 60}m {int(left) % 60:02d}s left {note}".ljust(110))
        self.stream.flush()

    def finish(self, note: str = "") -> None:
        self.show(self.total, note)
        self.stream.write("\n")
        self.stream.flush()


def plan_for(rng: random.Random, now: datetime) -> Plan:
    """A course finished in the last two years (60%), in follow-up (15%) or under way (25%)."""
    roll = rng.random()
    if roll < 0.25:
        return Plan("active", now - timedelta(days=rng.randint(1, 8)), held=rng.randint(1, 3), booked=3)
    days_ago = rng.randint(20, 120) if roll < 0.40 else rng.randint(121, 730)
    return Plan("completed", now - timedelta(days=days_ago), held=6, booked=0)


class Slots:
    """Chair times that never collide (a chair holds one held session per start time)."""

    def __init__(self) -> None:
        self.used: dict[date, int] = {}

    def take(self, day: datetime) -> tuple[int, datetime]:
        key = day.date()
        n = self.used.get(key, 0)
        self.used[key] = n + 1
        base = datetime(key.year, key.month, key.day, 7, tzinfo=UTC)
        return n % CHAIRS, base + timedelta(minutes=n // CHAIRS)


def _scored() -> dict[str, list[tuple[list[Any], dict[str, Any], int | None, bool]]]:
    found = {}
    for instrument, sets in ITEMS.items():
        found[instrument] = []
        for items in sets:
            result = score(instrument, items)
            found[instrument].append((list(result.answers), {**result.as_dict(), "missing": list(result.missing)},
                                      result.total, result.complete))
    return found


class Builder:
    """Writes one batch of patients at a time; keeps the shared rows (chairs, protocol, staff)."""

    def __init__(self, clinic: Any, users: dict[str, Any], seed: int = 2026, now: datetime | None = None) -> None:
        from courses.models import Protocol
        from courses.services import snapshot
        from scheduling.models import Chair

        self.clinic, self.now = clinic, now or datetime.now(UTC)
        self.rng = random.Random(seed)  # noqa: S311 - synthetic data, not secrets
        self.nurse, self.prescriber = users["nurse"], users["prescriber"]
        self.protocol = Protocol.objects.filter(clinic=clinic, active=True).order_by("pk").first()
        if self.protocol is None:
            from courses import services as courses

            self.protocol = courses.save_protocol(clinic=clinic, by=users["clinic_admin"],
                                                  values={"name": "Induction 6 x 0.5 mg/kg (bulk)"})
        self.snapshot = snapshot(self.protocol)
        run = Chair.objects.filter(clinic=clinic, name__startswith="Bulk chair").count() // CHAIRS + 1
        self.chairs = Chair.objects.bulk_create(  # chairs of their own, so this run's times collide with nothing
            [Chair(clinic=clinic, name=f"Bulk chair {run}-{n + 1}") for n in range(CHAIRS)])
        self.slots, self.scored = Slots(), _scored()
        from patients.models import Patient

        self.next_mrn = Patient.objects.filter(clinic=clinic, mrn__startswith="BULK-").count() + 1

    def batch(self, n: int) -> list[int]:
        """Write n patients with their screening, course, sessions, vitals and assessments; return the course ids."""
        from courses.models import TreatmentCourse
        from patients.models import EligibilityScreening, Patient

        rng, clinic = self.rng, self.clinic
        first = self.next_mrn
        self.next_mrn += n
        patients = Patient.objects.bulk_create([Patient(
            clinic=clinic, mrn=f"BULK-{first + k:07d}", given_name=rng.choice(GIVEN), family_name=rng.choice(FAMILY),
            date_of_birth=date(1950 + rng.randint(0, 50), rng.randint(1, 12), rng.randint(1, 28)),
            sex=rng.choice(["female", "male"]), weight_kg=Decimal(rng.randint(50, 110)), diagnosis_code="F43.12",
            email=f"bulk{first + k}@example.invalid") for k in range(n)])
        plans = [plan_for(rng, self.now) for _ in patients]
        screenings = EligibilityScreening.objects.bulk_create([EligibilityScreening(
            clinic=clinic, patient=p, outcome="eligible", failed_trials=2, screened_by=self.prescriber,
            screened_at=plan.started - timedelta(days=7), signed_by=self.prescriber,
            signed_at=plan.started - timedelta(days=7)) for p, plan in zip(patients, plans, strict=True)])
        courses = TreatmentCourse.objects.bulk_create([TreatmentCourse(
            clinic=clinic, patient=p, protocol=self.protocol, protocol_snapshot=self.snapshot, screening=s,
            mg_per_kg=Decimal("0.50"), weight_basis="actual", status=plan.status, ordered_by=self.prescriber,
            ordered_at=plan.started - timedelta(days=3),
            ended_at=plan.started + timedelta(days=12) if plan.status == "completed" else None)
            for p, s, plan in zip(patients, screenings, plans, strict=True)])
        self._sessions_and_readings(patients, courses, plans)
        return [c.pk for c in courses]

    def _sessions_and_readings(self, patients: list[Any], courses: list[Any], plans: list[Plan]) -> None:
        from infusions.models import InfusionSession, VitalSign
        from measures.models import Assessment

        sessions, assessments = [], []
        for patient, course, plan in zip(patients, courses, plans, strict=True):
            for k in range(plan.held + plan.booked):
                held = k < plan.held
                day = plan.started + timedelta(days=2 * k) if held else self.now + timedelta(days=1 + 2 * (k - plan.held))
                chair, start = self.slots.take(day)
                sessions.append(self._session(course, k + 1, self.chairs[chair], start, held))
            assessments += self._assessments(patient, course, plan)
        InfusionSession.objects.bulk_create(sessions, batch_size=2000)
        rng = self.rng
        VitalSign.objects.bulk_create([VitalSign(
            clinic_id=s.clinic_id, session=s, measured_at=s.started_at + timedelta(minutes=5 * r),
            systolic_mmhg=115 + rng.randint(0, 35), diastolic_mmhg=72 + rng.randint(0, 16),
            heart_rate_bpm=62 + rng.randint(0, 30), spo2_pct=Decimal(rng.choice(("97.0", "98.0", "99.0"))),
            resp_rate_per_min=12 + rng.randint(0, 6), entered_by=self.nurse)
            for s in sessions if s.started_at is not None for r in range(VITALS_PER_SESSION)], batch_size=5000)
        Assessment.objects.bulk_create(assessments, batch_size=2000)

    def _session(self, course: Any, number: int, chair: Any, start: datetime, held: bool) -> Any:
        from infusions.models import InfusionSession

        if not held:
            return InfusionSession(clinic=self.clinic, course=course, patient_id=course.patient_id, number=number,
                                   chair=chair, scheduled_start=start, scheduled_end=start + timedelta(hours=2))
        return InfusionSession(
            clinic=self.clinic, course=course, patient_id=course.patient_id, number=number, chair=chair,
            state="discharged", scheduled_start=start, scheduled_end=start + timedelta(hours=2),
            checkin_weight_kg=Decimal("70.0"), checked_in_at=start, checked_in_by=self.nurse, total_mg=Decimal("35.00"),
            rate_ml_per_h=Decimal("150.00"), dose_verified_by=self.nurse, started_at=start + timedelta(minutes=10),
            infusion_ended_at=start + timedelta(minutes=50), discharged_at=start + timedelta(minutes=120),
            discharged_by=self.nurse)

    def _assessments(self, patient: Any, course: Any, plan: Plan) -> list[Any]:
        """Baseline, before each infusion given, and the end of course and follow-ups that are past."""
        from measures.models import Assessment

        level = self.rng.randrange(3)
        points: list[tuple[str, int, str, datetime]] = [
            ("baseline", 0, i, plan.started - timedelta(days=2)) for i in ("pcl5", "phq9", "gad7", "cssrs")]
        points += [("pre_infusion", k + 1, "phq9", plan.started + timedelta(days=2 * k, hours=-12)) for k in range(plan.held)]
        if plan.status == "completed":
            end = plan.started + timedelta(days=2 * (plan.held - 1))
            for key, days, instruments in (("end_of_course", 1, ("pcl5", "phq9", "gad7")), ("follow_1w", 7, ("pcl5", "phq9")),
                                           ("follow_1m", 30, ("pcl5",))):
                if end + timedelta(days=days) < self.now:
                    points += [(key, 0, i, end + timedelta(days=days, hours=6)) for i in instruments]
        found = []
        for key, occurrence, instrument, at in points:
            answers, result, total, complete = self.scored[instrument][level if key == "baseline" else max(0, level - 1)]
            found.append(Assessment(clinic=self.clinic, patient=patient, course=course, instrument=instrument,
                                    point_key=key, occurrence=occurrence, assessed_at=at, items=answers,
                                    complete=complete, total=total, result=result, entered_by=self.nurse))
        return found


def add_patients(clinic: Any, users: dict[str, Any], n: int, *, seed: int = 2026, stream: TextIO | None = sys.stderr,
                 say: Callable[[str], None] = lambda m: None) -> int:
    """Add n synthetic patients to the clinic in bulk, then store their due assessment slots; return the rows written."""
    from django.db import transaction

    from courses.models import TreatmentCourse
    from measures.readmodel import refresh_courses

    builder = Builder(clinic, users, seed=seed)
    bar = Bar(n, stream) if stream is not None else None
    course_ids: list[int] = []
    for done in range(0, n, BATCH):
        with transaction.atomic():
            course_ids += builder.batch(min(BATCH, n - done))
        if bar:
            bar.show(min(done + BATCH, n))
    if bar:
        bar.finish()
    slots_bar = Bar(len(course_ids), stream, "courses' due slots") if stream is not None else None
    written = 0
    for start in range(0, len(course_ids), 2000):
        with transaction.atomic():
            written += refresh_courses(TreatmentCourse.objects.filter(pk__in=course_ids[start:start + 2000]))
        if slots_bar:
            slots_bar.show(min(start + 2000, len(course_ids)))
    if slots_bar:
        slots_bar.finish()
    say(f"{n:,} synthetic patients added in bulk; {written:,} due-slot rows stored.")
    return written
