"""FHIR benchmarks: Bulk Data export of a synthetic clinic (resources/s, peak memory) and search p95.

The synthetic clinic is written with bulk_create straight into the tables (a benchmark fixture, not
an application write): `BENCH_FHIR_PATIENTS` patients (default 150; the issue's size is 10000, about
2 million resources), each with a course of 6 infusions, 8 readings an infusion and 8 assessments.
Each export runs in a fresh Python process so its peak memory (ru_maxrss) is its own.
"""

import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

READINGS_PER_SESSION = 8
SESSIONS = 6


def _rows(clinic: Any, user: Any, patients_n: int, seed: int = 3) -> None:
    from clinical.instruments import score
    from courses.models import Protocol, TreatmentCourse
    from courses.services import snapshot
    from infusions.models import InfusionSession, VitalSign
    from interop.fhir.rows import chair_model
    from measures.models import Assessment
    from patients.models import CurrentMedication, EligibilityScreening, Patient

    rng = random.Random(seed)
    chair = chair_model().objects.create(clinic=clinic, name="Bench chair")
    protocol = Protocol.objects.create(clinic=clinic, name="Standard 6 x 0.5 mg/kg")
    start = datetime(2025, 1, 6, 9, tzinfo=UTC)
    for first in range(0, patients_n, 100):
        batch = range(first, min(first + 100, patients_n))
        patients = Patient.objects.bulk_create([Patient(
            clinic=clinic, mrn=f"B-{n:06d}", given_name="Bench", family_name=f"Patient{n}", date_of_birth=date(1980, 1, 1),
            sex=rng.choice(["female", "male"]), weight_kg=Decimal("70.0"), diagnosis_code="F43.12") for n in batch])
        if not patients[0].pk:
            patients = list(Patient.objects.filter(clinic=clinic, mrn__in=[p.mrn for p in patients]).order_by("pk"))
        CurrentMedication.objects.bulk_create([CurrentMedication(clinic=clinic, patient=p, name="sertraline", dose="100 mg")
                                               for p in patients])
        screenings = EligibilityScreening.objects.bulk_create([EligibilityScreening(
            clinic=clinic, patient=p, outcome="eligible", screened_by=user, screened_at=start) for p in patients])
        if not screenings[0].pk:
            screenings = list(EligibilityScreening.objects.filter(patient__in=patients).order_by("patient_id"))
        courses = TreatmentCourse.objects.bulk_create([TreatmentCourse(
            clinic=clinic, patient=p, protocol=protocol, protocol_snapshot=snapshot(protocol), screening=s,
            mg_per_kg=Decimal("0.50"), weight_basis="actual", status="completed", ordered_by=user, ordered_at=start)
            for p, s in zip(patients, screenings, strict=True)])
        if not courses[0].pk:
            courses = list(TreatmentCourse.objects.filter(patient__in=patients).order_by("patient_id"))
        sessions = InfusionSession.objects.bulk_create([InfusionSession(
            clinic=clinic, course=c, patient_id=c.patient_id, number=k + 1, chair=chair, state="discharged",
            scheduled_start=start + timedelta(days=2 * k), scheduled_end=start + timedelta(days=2 * k, hours=2),
            checkin_weight_kg=Decimal("70.0"), checked_in_at=start + timedelta(days=2 * k), checked_in_by=user,
            total_mg=Decimal("35.00"), rate_ml_per_h=Decimal("150.00"), dose_verified_by=user,
            started_at=start + timedelta(days=2 * k, minutes=10), infusion_ended_at=start + timedelta(days=2 * k, minutes=50),
            discharged_at=start + timedelta(days=2 * k, minutes=120), discharged_by=user)
            for c in courses for k in range(SESSIONS)])
        if not sessions[0].pk:
            sessions = list(InfusionSession.objects.filter(course__in=courses).order_by("pk"))
        VitalSign.objects.bulk_create([VitalSign(
            clinic=clinic, session=s, measured_at=s.started_at + timedelta(minutes=10 * r),
            systolic_mmhg=120 + rng.randint(0, 30), diastolic_mmhg=80 + rng.randint(0, 10), heart_rate_bpm=70,
            spo2_pct=Decimal("98.0"), resp_rate_per_min=14, entered_by=user) for s in sessions
            for r in range(READINGS_PER_SESSION)], batch_size=2000)
        items = [1, 2, 0, 3, 4, 2, 1, 0, 2, 3, 1, 2, 2, 1, 0, 3, 2, 1, 2, 1]
        result = score("pcl5", items).as_dict()
        Assessment.objects.bulk_create([Assessment(
            clinic=clinic, patient=p, instrument="pcl5", assessed_at=start + timedelta(days=7 * k), items=items,
            complete=True, total=sum(items), result=result, entered_by=user) for p in patients for k in range(8)])


def build(patients_n: int) -> tuple[Any, str]:
    """A synthetic clinic of `patients_n` patients and a nurse's API token."""
    from accounts import services as accounts

    clinic = accounts.create_clinic(name="Bench FHIR", slug=f"bench-fhir-{time.time_ns()}", by="bench")
    nurse = accounts.create_staff(clinic=clinic, username=f"bench-nurse-{time.time_ns()}", password="bench-synthetic-pw", role="nurse",  # noqa: S106 - bench user
                                  first_name="Bench", last_name="Nurse", by="bench")
    _rows(clinic, nurse, patients_n)
    return clinic, accounts.issue_token(user=nurse, clinic=clinic, name="bench", by="bench")


def _child(mode: str, clinic_id: int, out_dir: str) -> None:
    """Run in a fresh process: export (mode export|sample) or the json.dumps baseline; print the figures."""
    from accounts.models import Clinic
    from interop.fhir import export
    from interop.fhir.sources import SOURCES

    clinic = Clinic.objects.get(pk=clinic_id)
    job = type("Job", (), {"id": f"bench-{mode}", "clinic": clinic, "level": "system", "since": None, "group_id": ""})()
    os.environ["KETACARE_FHIR_EXPORT_VALIDATE"] = "sample" if mode == "sample" else "all"
    started, total = time.perf_counter(), 0
    if mode == "baseline":
        with open(Path(out_dir) / "baseline.ndjson", "w", encoding="utf-8") as out:
            for srcs in SOURCES.values():
                for source in srcs:
                    found = source.rows_for(clinic)
                    if isinstance(found, list):
                        continue
                    for row in found.values().iterator(chunk_size=2000):
                        out.write(json.dumps(row, default=str))
                        out.write("\n")
                        total += 1
    else:
        from django.conf import settings

        settings.VAR_DIR = Path(out_dir)
        for resource_type in SOURCES:
            total += export.write_type(job, resource_type, lambda: False, lambda n: None) or 0
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"count": total, "seconds": seconds, "peak_mb": peak_mb}))


def _run_child(mode: str, clinic_id: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as out_dir:
        done = subprocess.run([sys.executable, __file__, mode, str(clinic_id), out_dir], capture_output=True, text=True,  # noqa: S603
                              check=True, env=os.environ.copy(), timeout=3600)
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _search_p95(clinic: Any, token: str) -> tuple[float, float]:
    from django.test import Client

    from infusions.models import VitalSign
    from patients.models import Patient

    ids = list(Patient.objects.filter(clinic=clinic).values_list("pk", flat=True))
    rng, client, fhir_ms, plain_ms = random.Random(1), Client(), [], []
    for _ in range(60):
        pid = rng.choice(ids)
        started = time.perf_counter()
        response = client.get(f"/fhir/Observation?patient={pid}&category=vital-signs", HTTP_AUTHORIZATION=f"Bearer {token}")
        fhir_ms.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"bench: search answered {response.status_code}")
        started = time.perf_counter()
        json.dumps(list(VitalSign.objects.filter(session__patient_id=pid).values()[:50]), default=str)
        plain_ms.append((time.perf_counter() - started) * 1000)
    return statistics.quantiles(fhir_ms, n=20)[18], statistics.quantiles(plain_ms, n=20)[18]


def bench_fhir() -> None:
    """Print export resources/s and peak memory beside json.dumps of the same rows, and search p95."""
    patients_n = int(os.environ.get("BENCH_FHIR_PATIENTS", "150"))
    clinic, token = build(patients_n)
    full, sample, plain = (_run_child(m, clinic.pk) for m in ("export", "sample", "baseline"))
    for name, figures in (("FHIR $export, every resource validated", full), ("FHIR $export, validation sampled 1/100", sample)):
        rate, base = figures["count"] / figures["seconds"], plain["count"] / plain["seconds"]
        print(f"{name:<44} {rate:>10,.0f} resources/s  peak {figures['peak_mb']:6.0f} MB   "
              f"baseline json.dumps of rows {base:>10,.0f} rows/s  peak {plain['peak_mb']:6.0f} MB   "
              f"({figures['count']:,} resources, {patients_n:,} patients; goal >= 5,000/s, < 300 MB)")
    fhir_p95, plain_p95 = _search_p95(clinic, token)
    print(f"{'FHIR search Observation?patient&category':<44} p95 {fhir_p95:8.1f} ms   baseline ORM values + json.dumps "
          f"p95 {plain_p95:6.1f} ms   (goal <= 50 ms)")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketacare.settings")
    import django

    django.setup()
    _child(sys.argv[1], int(sys.argv[2]), sys.argv[3])
