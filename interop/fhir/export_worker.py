"""The export worker: claims queued jobs one at a time and writes their files (no broker needed)."""

import time
from collections.abc import Callable
from datetime import UTC, datetime

from django.db import transaction

from audit import services as audit

from . import export
from .models import ExportJob, ExportStatus


def _now() -> datetime:
    return datetime.now(UTC)


def claim_next() -> ExportJob | None:
    """Take the oldest queued job; a conditional update makes two workers never take the same one."""
    for job in ExportJob.objects.filter(status=ExportStatus.QUEUED).order_by("created_at")[:5]:
        if ExportJob.objects.filter(pk=job.pk, status=ExportStatus.QUEUED).update(status=ExportStatus.RUNNING, started_at=_now()):
            return ExportJob.objects.select_related("clinic", "client").get(pk=job.pk)
    return None


def _is_cancelled(job: ExportJob) -> bool:
    return ExportJob.objects.filter(pk=job.pk, status=ExportStatus.CANCELLED).exists()


def run_job(job: ExportJob) -> None:
    """Write every type of the job, then its manifest entries; a cancel stops it and removes the files."""
    output, total = [], 0
    try:
        for index, resource_type in enumerate(job.types):
            def progress(n: int, t: str = resource_type, i: int = index) -> None:
                ExportJob.objects.filter(pk=job.pk).update(progress=f"{t} ({i + 1} of {len(job.types)}): {n} resources")

            progress(0)
            count = export.write_type(job, resource_type, lambda: _is_cancelled(job), progress)
            if count is None:
                export.remove_files(job.id)
                return
            total += count
            if count:
                output.append({"type": resource_type, "file": f"{resource_type}.ndjson", "count": count})
    except Exception as exc:  # noqa: BLE001 - any failure ends the job with its reason, never a silent worker death
        ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000],
                                                   finished_at=_now())
        export.remove_files(job.id)
        return
    with transaction.atomic():
        done = ExportJob.objects.filter(pk=job.pk, status=ExportStatus.RUNNING).update(
            status=ExportStatus.DONE, output=output, finished_at=_now(), progress=f"done: {total} resources")
        if done:
            actor = f"fhir-client:{job.client.name}" if job.client else job.requested_by
            audit.record(action="fhir_export", by=actor, clinic=job.clinic, obj=job,
                         detail={"level": job.level, "group": job.group_id, "types": job.types, "total": total,
                                 "since": job.since, "counts": {o["type"]: o["count"] for o in output}})
    if not done:
        export.remove_files(job.id)


def run_worker(*, once: bool, poll_seconds: float, max_jobs: int, say: Callable[[str], None]) -> int:
    """Run jobs as they arrive; with `once`, only those waiting now. Returns how many ran."""
    ran = 0
    while not max_jobs or ran < max_jobs:
        job = claim_next()
        if job is None:
            if once:
                break
            time.sleep(poll_seconds)
            continue
        say(f"export {job.id}: {', '.join(job.types)}")
        run_job(job)
        ran += 1
    return ran
