"""smart-fetch (the SMART/Cumulus bulk client) authenticates with a key registered by `ketacare fhir client add`
and runs a full $export of the demo clinic against a live server; the NDJSON it writes is checked.

smart-fetch asks for the types it knows that the server serves (Patient, Encounter, AllergyIntolerance,
Condition, MedicationRequest, Observation); the other types are exported by the Bulk tests."""

import gzip
import json
import subprocess
import sys
import threading
from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from .fhir_checks import assert_valid
from .fhir_keys import new_key

pytestmark = pytest.mark.usefixtures("transactional_db")


def _demo():
    from ketacare.demo import build_apps
    from ketacare.management.commands.demo import Command

    ctx = Command()._context(7, lambda message: None)
    ctx.small = True
    build_apps(ctx)
    return ctx


def _private_jwks(private, kid, alg):
    import jwt

    algorithm = jwt.algorithms.RSAAlgorithm if alg == "RS384" else jwt.algorithms.ECAlgorithm
    key = json.loads(algorithm.to_jwk(private))
    key.update({"kid": kid, "alg": alg, "key_ops": ["sign"]})
    return {"keys": [key]}


def _worker(stop: threading.Event) -> None:
    from django.db import connection

    from interop.fhir.export_worker import run_worker

    try:
        for _ in range(600):  # bounded: at most five minutes of polling
            if stop.is_set():
                break
            run_worker(once=True, poll_seconds=0, max_jobs=0, say=lambda text: None)
            stop.wait(0.5)
    finally:
        connection.close()


def _read_ndjson(folder: Path) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for path in sorted(folder.rglob("*.ndjson*")):
        if path.name.startswith("log."):
            continue
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    resource = json.loads(line)
                    found.setdefault(resource["resourceType"], []).append(resource)
    return found


@pytest.mark.parametrize("alg", ["ES384"])
def test_smart_fetch_exports_the_demo_clinic_end_to_end(live_server, tmp_path, settings, alg):
    from interop.fhir.models import ExportJob

    settings.VAR_DIR = tmp_path / "var"
    ctx = _demo()
    private, public, kid = new_key(alg)
    (tmp_path / "public.jwks").write_text(json.dumps(public))
    (tmp_path / "private.jwks").write_text(json.dumps(_private_jwks(private, kid, alg)))
    out = StringIO()
    call_command("fhir", "client", "add", "--name", "research office", "--clinic", ctx.clinic.slug,
                 "--jwks", str(tmp_path / "public.jwks"), "--scopes", "system/*.read", stdout=out)
    client_id = json.loads(out.getvalue())["client_id"]
    stop = threading.Event()
    worker = threading.Thread(target=_worker, args=(stop,), daemon=True)
    worker.start()
    try:
        command = [str(Path(sys.executable).parent / "smart-fetch"), "bulk", "--fhir-url", f"{live_server.url}/fhir",
                   "--smart-client-id", client_id, "--smart-key", str(tmp_path / "private.jwks"),
                   "--no-default-filters", "--no-compression", str(tmp_path / "out")]
        done = subprocess.run(command, capture_output=True, text=True, timeout=240, check=False)  # noqa: S603 - our own venv's tool
    finally:
        stop.set()
        worker.join(timeout=30)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    exported = _read_ndjson(tmp_path / "out")
    counts = Counter({t: len(rs) for t, rs in exported.items()})
    job = ExportJob.objects.get()
    # smart-fetch DELETEs the job once it has the files, as the Bulk Data spec asks clients to
    assert job.status in ("done", "cancelled") and job.finished_at and job.client.client_id == client_id
    assert counts == Counter({o["type"]: o["count"] for o in job.output if o["type"] in counts})
    assert {"Patient", "Observation", "Encounter", "Condition"} <= set(counts)
    from patients.models import Patient

    assert counts["Patient"] == Patient.objects.filter(clinic=ctx.clinic).count()
    for resources in exported.values():
        for resource in resources[:200]:
            assert_valid(resource)
    print("demo export counts:", dict(sorted(counts.items())))
