"""Bulk Data v2 endpoints: kick-off ($export at system, Patient and Group level), status, files, cancel."""

import json
import re
import uuid
from datetime import datetime
from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse

from . import services
from .auth import Principal
from .endpoint import fhir_view
from .errors import FhirError, bad_request
from .export import export_dir, types_for
from .groups import GROUPS
from .models import ExportJob, ExportStatus
from .sources import SOURCES

NDJSON_FORMATS = {"application/fhir+ndjson", "application/ndjson", "ndjson"}
KICKOFF_PARAMS = {"_type", "_since", "_outputFormat", "_typeFilter"}
NEXT_QUERY = re.compile(r",(?=[A-Z][A-Za-z]+\?)")  # a comma that starts the next Type?query in one _typeFilter value
RETRY_SECONDS = 2


def _since(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        at = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise bad_request(f"_since must be a FHIR instant such as 2024-05-01T00:00:00Z, not {text!r}.") from None
    if at.tzinfo is None:
        raise bad_request("_since needs a time zone (e.g. Z).")
    return at


def _kick_off(request: HttpRequest, principal: Principal, level: str, group_id: str = "") -> HttpResponse:
    _require_export_access(principal)
    if "respond-async" not in request.META.get("HTTP_PREFER", ""):
        raise bad_request("Send the header Prefer: respond-async to start an export.")
    unknown = set(request.GET) - KICKOFF_PARAMS
    if unknown:
        raise bad_request(f"Unsupported export parameters: {', '.join(sorted(unknown))}.")
    output_format = request.GET.get("_outputFormat")
    if output_format and output_format not in NDJSON_FORMATS:
        raise bad_request("_outputFormat must be application/fhir+ndjson.")
    requested = [t for v in request.GET.getlist("_type") for t in v.split(",") if t]
    unknown_types = [t for t in requested if t not in SOURCES]
    if unknown_types and "handling=strict" in request.META.get("HTTP_PREFER", ""):
        raise bad_request(f"This server does not serve _type {', '.join(unknown_types)}.")
    if unknown_types and not set(requested) - set(unknown_types):
        raise bad_request(f"This server serves none of the _type asked for: {', '.join(unknown_types)}.")
    types = types_for(level, requested, principal.grant.can_read)
    if not types:
        raise FhirError(403, "forbidden", "Your scopes allow none of the requested resource types.")
    job = services.start_export(clinic=principal.clinic, level=level, group_id=group_id, types=types,
                                since=_since(request.GET.get("_since")), request_url=request.build_absolute_uri(),
                                client=principal.client, user=principal.user, by=principal.actor,
                                type_filters=_type_filters(request, types))
    location = request.build_absolute_uri(f"/fhir/$export-status/{job.id}")
    return _accepted(location)


def _type_filters(request: HttpRequest, types: list[str]) -> dict[str, list[str]]:
    """The `_typeFilter` queries by type, each checked now (400 for a parameter the type does not serve)."""
    from .search import parse_type_filter

    filters: dict[str, list[str]] = {}
    for value in request.GET.getlist("_typeFilter"):
        for text in NEXT_QUERY.split(value):
            query = parse_type_filter(text)
            if query.resource_type not in types:
                raise bad_request(f"_typeFilter {text!r} is for {query.resource_type}, which this export does not "
                                  f"include (types: {', '.join(types)}).")
            filters.setdefault(query.resource_type, []).append(text)
    return filters


def _accepted(location: str) -> HttpResponse:
    response = HttpResponse(status=202)
    response["Content-Location"] = location
    return response


@fhir_view()
def system_export(request: HttpRequest, principal: Principal) -> HttpResponse:
    return _kick_off(request, principal, "system")


@fhir_view()
def patient_export(request: HttpRequest, principal: Principal) -> HttpResponse:
    return _kick_off(request, principal, "patient")


@fhir_view()
def group_export(request: HttpRequest, principal: Principal, group_id: str) -> HttpResponse:
    if group_id not in GROUPS:
        raise FhirError(404, "not-found", f"Group/{group_id} is not known here; groups: {', '.join(GROUPS)}.")
    return _kick_off(request, principal, "group", group_id)


def _require_export_access(principal: Principal) -> None:
    if not principal.grant.read:
        raise FhirError(403, "forbidden", "Your role or scopes allow no export.")


def _job(principal: Principal, job_id: str) -> ExportJob:
    _require_export_access(principal)
    job = ExportJob.objects.select_related("clinic").filter(pk=job_id, clinic=principal.clinic).first() \
        if _is_uuid(job_id) else None
    if job is None:
        raise FhirError(404, "not-found", "No such export job.")
    return job


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def _manifest(request: HttpRequest, job: ExportJob) -> dict[str, Any]:
    return {
        "transactionTime": job.created_at.isoformat(), "request": job.request_url, "requiresAccessToken": True,
        "output": [{"type": o["type"], "url": request.build_absolute_uri(f"/fhir/$export-file/{job.id}/{o['file']}"),
                    "count": o["count"]} for o in job.output],
        "error": [],
    }


@fhir_view(methods=("GET", "DELETE"))
def export_status(request: HttpRequest, principal: Principal, job_id: str) -> HttpResponse:
    job = _job(principal, job_id)
    if job.status == ExportStatus.CANCELLED:
        raise FhirError(404, "not-found", "This export was cancelled.")
    if request.method == "DELETE":
        services.cancel_export(job=job, by=principal.actor)
        return HttpResponse(status=202)
    if job.status in (ExportStatus.QUEUED, ExportStatus.RUNNING):
        response = HttpResponse(status=202)
        response["Retry-After"] = str(RETRY_SECONDS)
        response["X-Progress"] = job.progress or job.status
        return response
    if job.status == ExportStatus.FAILED:
        raise FhirError(500, "exception", f"The export failed: {job.error}")
    return HttpResponse(json.dumps(_manifest(request, job)), content_type="application/json")


@fhir_view()
def export_file(request: HttpRequest, principal: Principal, job_id: str, name: str) -> HttpResponse:
    _require_export_access(principal)
    job = ExportJob.objects.filter(pk=job_id, clinic=principal.clinic).first() if _is_uuid(job_id) else None
    if job is None:
        raise FhirError(404, "not-found", "No such export file.")
    if job.status == ExportStatus.CANCELLED:
        raise FhirError(410, "deleted", "This export was cancelled and its files deleted.")
    entry = next((o for o in job.output if o["file"] == name), None)
    path = export_dir(job.id) / name
    if job.status != ExportStatus.DONE or entry is None or not path.exists():
        raise FhirError(404, "not-found", "No such export file.")
    return FileResponse(open(path, "rb"), content_type="application/fhir+ndjson")  # noqa: SIM115 - FileResponse closes it
