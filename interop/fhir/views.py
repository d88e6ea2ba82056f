"""The read API: metadata, search, read and Patient/$everything."""

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse

from . import search as engine
from .audit import record_access
from .auth import Principal, require_read
from .capability import capability_statement
from .endpoint import fhir_view
from .errors import FhirError, fhir_response
from .sources import PATIENT_TYPES, SOURCES

STARTED_AT = datetime.now(UTC).replace(microsecond=0).isoformat()


def base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/fhir/")


def _known_type(resource_type: str) -> None:
    if resource_type not in SOURCES:
        raise FhirError(404, "not-supported", f"{resource_type} is not a resource type this server serves.")


@fhir_view(authenticated=False)
def metadata(request: HttpRequest, principal: None) -> HttpResponse:
    return fhir_response(capability_statement(base_url(request), request.build_absolute_uri("/fhir/auth/token"), STARTED_AT))


def bundle(request: HttpRequest, page: engine.Page, resource_type: str) -> dict[str, Any]:
    """A searchset Bundle with self, next and previous links that repeat the query."""
    base, query = base_url(request), page.query
    params = [(k, v) for k, v in request.GET.items() for v in request.GET.getlist(k) if k != "_offset"]
    params = list(dict.fromkeys(params))

    def link(relation: str, offset: int) -> dict[str, str]:
        return {"relation": relation, "url": f"{base}{resource_type}?{urlencode(params + [('_offset', offset)])}"}

    links = [link("self", query.offset)]
    if query.count and query.offset + query.count < page.total:
        links.append(link("next", query.offset + query.count))
    if query.offset:
        links.append(link("previous", max(0, query.offset - query.count)))
    entries = [_entry(base, r, "match") for r in page.matches] + [_entry(base, r, "include") for r in page.includes]
    return {"resourceType": "Bundle", "type": "searchset", "total": page.total, "link": links, "entry": entries}


def _entry(base: str, resource: dict[str, Any], mode: str) -> dict[str, Any]:
    return {"fullUrl": f"{base}{resource['resourceType']}/{resource['id']}", "resource": resource, "search": {"mode": mode}}


@fhir_view()
def search_type(request: HttpRequest, principal: Principal, resource_type: str) -> HttpResponse:
    _known_type(resource_type)
    require_read(principal, resource_type)
    query = engine.parse_query(resource_type, [(k, v) for k in request.GET for v in request.GET.getlist(k)])
    page = engine.search(principal, query)
    record_access(principal, "fhir_search", page.matches + page.includes,
                  {"type": resource_type, "query": request.GET.urlencode()[:500], "total": page.total})
    return fhir_response(bundle(request, page, resource_type))


@fhir_view()
def read_resource(request: HttpRequest, principal: Principal, resource_type: str, resource_id: str) -> HttpResponse:
    _known_type(resource_type)
    require_read(principal, resource_type)
    resource = engine.read(principal, resource_type, resource_id)
    record_access(principal, "fhir_read", [resource], {"type": resource_type, "id": resource_id})
    return fhir_response(resource, headers={"Last-Modified": resource.get("meta", {}).get("lastUpdated", STARTED_AT)})


@fhir_view()
def everything(request: HttpRequest, principal: Principal, resource_id: str) -> HttpResponse:
    """Patient/$everything: the patient, every resource of its compartment the caller may read, and what they reference."""
    require_read(principal, "Patient")
    patient = engine.read(principal, "Patient", resource_id)
    found = [patient]
    for resource_type in PATIENT_TYPES:
        if resource_type != "Patient" and principal.grant.can_read(resource_type):
            query = engine.Query(resource_type, patients={resource_id})
            found.extend(engine.validated(r) for r in engine.candidates(principal.clinic, query))
    query = engine.Query("Patient", includes=[])
    referenced = _referenced(principal, found)
    record_access(principal, "fhir_everything", found + referenced, {"type": "Patient", "id": resource_id})
    page = engine.Page(found, referenced, len(found), query)
    page.query.count = len(found) + 1
    out = bundle(request, page, f"Patient/{resource_id}/$everything")
    return fhir_response(out)


def _referenced(principal: Principal, resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Practitioners, chairs, the clinic and the questionnaires the patient's resources point to."""
    from .params import references_at

    seen = {(r["resourceType"], r["id"]) for r in resources}
    out = []
    paths = ("requester", "performer", "performer.actor", "participant.individual", "location.location", "recorder",
             "managingOrganization", "serviceProvider", "author", "questionnaire")
    for resource in resources:
        for path in paths:
            for reference in references_at(resource, path):
                rtype, _, rid = reference.partition("/")
                if (rtype, rid) in seen or rtype not in SOURCES or rtype in PATIENT_TYPES or not principal.grant.can_read(rtype):
                    continue
                seen.add((rtype, rid))
                found = engine.find(principal.clinic, rtype, rid)
                if found is not None:
                    out.append(engine.validated(found))
    return out
