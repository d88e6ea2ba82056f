"""Bulk Data v2 export: which rows a job covers, and writing them as NDJSON, one file per type, streaming."""

import json
import os
import shutil
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings

from .emit import validated_json
from .sources import PATIENT_TYPES, SOURCES

# Cohorts a client can export by Group/{id}/$export; each is a query over the clinic's patients.
GROUPS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "all-patients": ("Every patient of the clinic", lambda qs: qs),
    "active-course": ("Patients with an active course", lambda qs: qs.filter(courses__status="active").distinct()),
    "completed-course": ("Patients with a completed course", lambda qs: qs.filter(courses__status="completed").distinct()),
}
CHUNK_ROWS = 2000


def export_dir(job_id: Any) -> Path:
    return Path(getattr(settings, "VAR_DIR", "var")) / "fhir-exports" / str(job_id)


def remove_files(job_id: Any) -> None:
    shutil.rmtree(export_dir(job_id), ignore_errors=True)


def types_for(level: str, requested: list[str], can_read: Callable[[str], bool]) -> list[str]:
    """The requested types (or every type of the level) that the caller's scopes allow."""
    offered = PATIENT_TYPES if level in ("patient", "group") else tuple(SOURCES)
    wanted = requested or list(offered)
    return [t for t in wanted if t in offered and can_read(t)]


def _patient_ids(job: Any) -> Any:
    from patients.models import Patient

    patients = Patient.objects.filter(clinic=job.clinic)
    if job.level == "group":
        patients = GROUPS[job.group_id][1](patients)
    return patients.values("pk")


def rows_of(source: Any, job: Any) -> Any:
    found = source.rows_for(job.clinic)
    if isinstance(found, list) or job.level == "system":
        return found
    return found.filter(**{f"{source.patient_path}__in": _patient_ids(job)})


def resources_of(job: Any, resource_type: str) -> Iterator[dict[str, Any]]:
    """Every resource of a type the job covers, streamed a chunk of rows at a time."""
    since = job.since.isoformat() if job.since else None
    for source in SOURCES[resource_type]:
        found = rows_of(source, job)
        for row in found if isinstance(found, list) else found.iterator(chunk_size=CHUNK_ROWS):
            for resource in source.resources(row):
                if since is None or _updated_after(resource, job.since):
                    yield resource


def _updated_after(resource: dict[str, Any], since: datetime) -> bool:
    stamp = resource.get("meta", {}).get("lastUpdated")
    return stamp is None or datetime.fromisoformat(stamp.replace("Z", "+00:00")) > since


def line_writer() -> Callable[[dict[str, Any]], str]:
    """fhir.resources-validated JSON lines, every one unless KETACARE_FHIR_EXPORT_VALIDATE says "sample"
    (then the first resource of each type and every 100th; the tests validate every mapper fully)."""
    mode = getattr(settings, "KETACARE_FHIR_EXPORT_VALIDATE", os.environ.get("KETACARE_FHIR_EXPORT_VALIDATE", "all"))
    if mode != "sample":
        return validated_json
    counter = {"n": 0}

    def write(resource: dict[str, Any]) -> str:
        counter["n"] += 1
        if counter["n"] % 100 == 1:
            return validated_json(resource)
        return json.dumps(resource, separators=(",", ":"))

    return write


def write_type(job: Any, resource_type: str, cancelled: Callable[[], bool], progress: Callable[[int], None]) -> int | None:
    """Write `<Type>.ndjson`; return the count, or None when the job was cancelled meanwhile."""
    folder = export_dir(job.id)
    folder.mkdir(parents=True, exist_ok=True)
    line, count = line_writer(), 0
    with open(folder / f"{resource_type}.ndjson", "w", encoding="utf-8") as out:
        for resource in resources_of(job, resource_type):
            out.write(line(resource))
            out.write("\n")
            count += 1
            if count % CHUNK_ROWS == 0:
                progress(count)
                if cancelled():
                    return None
    return count
