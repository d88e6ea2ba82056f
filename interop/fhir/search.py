"""Search: database pre-filters per source, token filters on the mapped resources, sort, page, include."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import DateField

from .auth import Principal
from .emit import validated
from .errors import FhirError, bad_request
from .params import (
    COMMON,
    CONTROL,
    TYPE_PARAMS,
    Param,
    date_lookups,
    instant_matches,
    references_at,
    token_matches,
)
from .sources import PATIENT_TYPES, SOURCES, Source, row_for, source_for_id

DEFAULT_COUNT, MAX_COUNT = 20, 1000


@dataclass
class Query:
    resource_type: str
    filters: list[tuple[str, Param, str]] = field(default_factory=list)  # (name, param, value)
    ids: list[str] = field(default_factory=list)
    patients: set[str] | None = None  # patient ids, when the query names any
    last_updated: list[str] = field(default_factory=list)
    count: int = DEFAULT_COUNT
    offset: int = 0
    sort: list[tuple[str, bool]] = field(default_factory=list)  # (key, descending)
    includes: list[tuple[str, str, str | None]] = field(default_factory=list)
    revincludes: list[tuple[str, str, str | None]] = field(default_factory=list)


def _int(name: str, text: str, low: int, high: int) -> int:
    if not text.isdigit() or not low <= int(text) <= high:
        raise bad_request(f"{name} must be a whole number from {low} to {high}.")
    return int(text)


def _patient_id(text: str) -> str:
    return text.split("/", 1)[1] if text.startswith("Patient/") else text


def _include_spec(text: str, owner_type: str | None) -> tuple[str, str, str | None]:
    parts = text.split(":")
    if len(parts) not in (2, 3) or parts[0] not in TYPE_PARAMS:
        raise bad_request(f"{text!r} is not Type:param[:Target].")
    param = TYPE_PARAMS[parts[0]].get(parts[1])
    if param is None or param.kind not in ("reference", "patient"):
        raise bad_request(f"{parts[0]} has no reference parameter {parts[1]!r} to include by.")
    if owner_type is not None and parts[0] != owner_type:
        raise bad_request(f"_include must start with the searched type {owner_type}, not {parts[0]}.")
    return parts[0], parts[1], parts[2] if len(parts) == 3 else None


FILTER_CONTROL = {"_count", "_offset", "_sort", "_include", "_revinclude", "_elements", "_summary"}


def parse_type_filter(text: str) -> Query:
    """One Bulk Data `_typeFilter` query, `Type?param=value&...`: search parameters only, no paging or includes."""
    from urllib.parse import parse_qsl

    resource_type, mark, query_string = text.partition("?")
    if not mark or resource_type not in TYPE_PARAMS:
        raise bad_request(f"_typeFilter {text!r} must be Type?search, with a type this server serves.")
    params = parse_qsl(query_string, keep_blank_values=True)
    control = sorted({name for name, _ in params} & FILTER_CONTROL)
    if not params or control:
        raise bad_request(f"_typeFilter {text!r} needs search parameters" + (f", not {', '.join(control)}." if control else "."))
    return parse_query(resource_type, params)


def parse_query(resource_type: str, params: list[tuple[str, str]]) -> Query:
    """Read the query string into a Query, refusing (400) any parameter this type does not serve."""
    query, known = Query(resource_type), TYPE_PARAMS[resource_type]
    for name, value in params:
        base, _, modifier = name.partition(":")
        if name == "_id":
            query.ids.extend(v for v in value.split(",") if v)
        elif name == "_lastUpdated":
            query.last_updated.append(value)
        elif name == "_count":
            query.count = _int("_count", value, 0, MAX_COUNT)
        elif name == "_offset":
            query.offset = _int("_offset", value, 0, 10**9)
        elif name == "_sort":
            query.sort = [(k.lstrip("-"), k.startswith("-")) for k in value.split(",") if k]
            dates = {k for k, p in known.items() if p.kind == "date"}
            bad = [k for k, _ in query.sort if k not in {"_id", "_lastUpdated", "date"} | dates]
            if bad:
                raise bad_request(f"Cannot sort by {', '.join(bad)}: use _id, _lastUpdated or date.")
        elif name == "_include":
            query.includes.append(_include_spec(value, resource_type))
        elif name == "_revinclude":
            query.revincludes.append(_include_spec(value, None))
        elif name in CONTROL:
            continue
        elif base in known and not modifier:
            param = known[base]
            if param.kind == "patient":
                ids = {_patient_id(v) for v in value.split(",")}
                query.patients = ids if query.patients is None else query.patients & ids
            else:
                query.filters.append((base, param, value))
        else:
            raise bad_request(f"{resource_type} has no search parameter {name!r} here; known: "
                              f"{', '.join(sorted(set(known) | set(COMMON)))}.")
    return query


def _is_date_column(found: Any, path: str) -> bool:
    """Whether the column is a date (birth date) rather than an instant."""
    return "__" not in path and isinstance(found.model._meta.get_field(path), DateField) and \
        found.model._meta.get_field(path).get_internal_type() == "DateField"


def _db_rows(source: Source, clinic: Any, query: Query) -> Any:
    return narrow(source, source.rows_for(clinic), query)


def narrow(source: Source, found: Any, query: Query) -> Any:
    """The database pre-filters of a query (patient, _id, dates) applied to a source's rows."""
    if isinstance(found, list):
        return found
    if query.patients is not None:
        if not source.patient_path:
            return found.none()
        found = found.filter(**{f"{source.patient_path}__in": [int(p) for p in query.patients if p.isdigit()]})
    pks = [pk for pk in (source.pk_of(i) for i in query.ids) if pk is not None]
    if query.ids:
        found = found.filter(pk__in=pks)
    for _, param, value in query.filters:
        if param.kind == "date":
            if not source.date_path:
                return found.none()
            found = found.filter(**date_lookups(source.date_path, value, dates_only=_is_date_column(found, source.date_path)))
    return found


def keep(source: Source, query: Query) -> bool:
    """False when a constant of the source (e.g. its category) can never match the query."""
    for name, param, value in query.filters:
        allowed = source.constants.get(name)
        if allowed is not None and param.kind == "token" and not any(v.rpartition("|")[2] in allowed for v in value.split(",")):
            return False
    return True


def matches(resource: dict[str, Any], query: Query) -> bool:
    if query.ids and resource["id"] not in query.ids:
        return False
    if not all(instant_matches(resource.get("meta", {}).get("lastUpdated"), v) for v in query.last_updated):
        return False
    for _, param, value in query.filters:
        options = value.split(",")
        if param.kind == "token" and not any(token_matches(resource, param.path, v) for v in options):
            return False
        if param.kind == "reference" and not any(_same_reference(found, o) for found in references_at(resource, param.path)
                                                 for o in options):
            return False
    return True


def _same_reference(found: str, wanted: str) -> bool:
    """`Type/id` matches itself; a bare id matches a reference of any type with that id."""
    return found == wanted or ("/" not in wanted and found.endswith("/" + wanted))


def candidates(clinic: Any, query: Query) -> Iterator[dict[str, Any]]:
    """Every mapped (not yet validated) resource of the clinic matching the query, in source order."""
    for source in SOURCES[query.resource_type]:
        if not keep(source, query):
            continue
        found = _db_rows(source, clinic, query)
        for row in found if isinstance(found, list) else found.iterator(chunk_size=1000):
            for resource in source.resources(row):
                if matches(resource, query):
                    yield resource


def clinical_date(resource: dict[str, Any]) -> str:
    for key in ("effectiveDateTime", "authoredOn", "authored", "date", "recordedDate", "birthDate", "dateAsserted"):
        if resource.get(key):
            return str(resource[key])
    for key in ("period", "effectivePeriod"):
        if resource.get(key, {}).get("start"):
            return str(resource[key]["start"])
    return ""


def _sort(resources: list[dict[str, Any]], keys: list[tuple[str, bool]]) -> list[dict[str, Any]]:
    getters = {"_id": lambda r: r["id"], "_lastUpdated": lambda r: r.get("meta", {}).get("lastUpdated", ""), "date": clinical_date}
    for key, descending in reversed(keys):
        getter = getters.get(key, clinical_date)
        resources.sort(key=getter, reverse=descending)
    return resources


@dataclass
class Page:
    matches: list[dict[str, Any]]
    includes: list[dict[str, Any]]
    total: int
    query: Query


def search(principal: Principal, query: Query) -> Page:
    """One page of validated matches, their includes, and the total."""
    found = _sort(list(candidates(principal.clinic, query)), query.sort)
    page = [validated(r) for r in found[query.offset:query.offset + query.count]]
    return Page(page, include_for(principal, page, query), len(found), query)


def read(principal: Principal, resource_type: str, resource_id: str) -> dict[str, Any]:
    """One validated resource of the caller's clinic, or 404 (also for another clinic's resource)."""
    resource = find(principal.clinic, resource_type, resource_id)
    if resource is None:
        raise FhirError(404, "not-found", f"{resource_type}/{resource_id} is not known here.")
    return validated(resource)


def find(clinic: Any, resource_type: str, resource_id: str) -> dict[str, Any] | None:
    located = source_for_id(resource_type, resource_id)
    if located is None:
        return None
    row = row_for(located[0], clinic, located[1])
    if row is None:
        return None
    return next((r for r in located[0].resources(row) if r["id"] == resource_id), None)


def include_for(principal: Principal, page: list[dict[str, Any]], query: Query) -> list[dict[str, Any]]:
    """The resources _include and _revinclude ask for, limited to the types the caller may read."""
    seen = {(r["resourceType"], r["id"]) for r in page}
    out: list[dict[str, Any]] = []

    def add(resource: dict[str, Any] | None) -> None:
        if resource is not None and (resource["resourceType"], resource["id"]) not in seen:
            seen.add((resource["resourceType"], resource["id"]))
            out.append(validated(resource))

    for owner, name, target in query.includes:
        for resource in page:
            for reference in references_at(resource, TYPE_PARAMS[owner][name].path):
                rtype, _, rid = reference.partition("/")
                if (target is None or rtype == target) and rtype in SOURCES and principal.grant.can_read(rtype):
                    add(find(principal.clinic, rtype, rid))
    for source_type, name, _ in query.revincludes:
        if principal.grant.can_read(source_type) and page:
            for resource in _revinclude(principal, page, source_type, name):
                add(resource)
    return out


def _revinclude(principal: Principal, page: list[dict[str, Any]], source_type: str, name: str) -> Iterator[dict[str, Any]]:
    param = TYPE_PARAMS[source_type][name]
    targets = {f"{r['resourceType']}/{r['id']}" for r in page}
    patients = {r["id"] for r in page if r["resourceType"] == "Patient"} | {
        ref.split("/", 1)[1] for r in page for path in ("subject", "patient") for ref in references_at(r, path)
        if ref.startswith("Patient/")}
    query = Query(source_type, patients=patients if source_type in PATIENT_TYPES else None)
    for resource in candidates(principal.clinic, query):
        if set(references_at(resource, param.path)) & targets:
            yield resource
