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
from .groups import cohort
from .sources import PATIENT_TYPES, SOURCES

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

    if job.level == "group":
        return cohort(job.clinic, job.group_id).values("pk")
    return Patient.objects.filter(clinic=job.clinic).values("pk")


def rows_of(source: Any, job: Any) -> Any:
    found = source.rows_for(job.clinic)
    if isinstance(found, list) or job.level == "system":
        return found
    return found.filter(**{f"{source.patient_path}__in": _patient_ids(job)})


def _streamed(found: Any) -> Any:
    return found if isinstance(found, list) else found.iterator(chunk_size=CHUNK_ROWS)


def resources_of(job: Any, resource_type: str) -> Iterator[dict[str, Any]]:
    """Every resource of a type the job covers, streamed a chunk of rows at a time.

    With `_typeFilter` queries for the type, a resource is exported when it matches any of them (Bulk Data v2);
    each query narrows the rows in the database as a search would, then matches the mapped resource.
    """
    from .search import keep, matches, narrow, parse_type_filter

    queries = [parse_type_filter(text) for text in (job.type_filters or {}).get(resource_type, [])]
    seen: set[str] | None = set() if len(queries) > 1 else None  # one resource matched by two queries goes once
    for source in SOURCES[resource_type]:
        for query in queries or [None]:
            if query is not None and not keep(source, query):
                continue
            found = rows_of(source, job) if query is None else narrow(source, rows_of(source, job), query)
            for row in _streamed(found):
                for resource in source.resources(row):
                    if job.since is not None and not _updated_after(resource, job.since):
                        continue
                    if query is not None and not matches(resource, query):
                        continue
                    if seen is not None:
                        if resource["id"] in seen:
                            continue
                        seen.add(resource["id"])
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
