"""The search parameters each resource type serves, and how a value matches a resource."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from .codes import questionnaire_url
from .errors import bad_request


@dataclass(frozen=True)
class Param:
    kind: str  # "token" | "date" | "reference" | "patient"
    path: str = ""  # dotted path in the resource (token, reference)
    description: str = ""


def tok(path: str, description: str = "") -> Param:
    return Param("token", path, description)


def ref(path: str, description: str = "") -> Param:
    return Param("reference", path, description)


DATE = Param("date", "", "the clinical date (database column)")
PATIENT = Param("patient", "subject", "the patient the resource is about")
PATIENT_OF_ALLERGY = Param("patient", "patient", "the patient the resource is about")

TYPE_PARAMS: dict[str, dict[str, Param]] = {
    "Patient": {"identifier": tok("identifier", "system|value of the MRN"), "gender": tok("gender"), "birthdate": DATE,
                "organization": ref("managingOrganization")},
    "Practitioner": {"identifier": tok("identifier")},
    "PractitionerRole": {"practitioner": ref("practitioner"), "organization": ref("organization"), "role": tok("code")},
    "Organization": {"identifier": tok("identifier")},
    "Location": {"identifier": tok("identifier"), "status": tok("status"), "organization": ref("managingOrganization")},
    "Condition": {"patient": PATIENT, "subject": PATIENT, "code": tok("code"), "category": tok("category"),
                  "clinical-status": tok("clinicalStatus"), "recorded-date": DATE},
    "MedicationRequest": {"patient": PATIENT, "subject": PATIENT, "status": tok("status"), "intent": tok("intent"),
                          "authoredon": DATE, "requester": ref("requester")},
    "CarePlan": {"patient": PATIENT, "subject": PATIENT, "status": tok("status"), "date": DATE},
    "Encounter": {"patient": PATIENT, "subject": PATIENT, "status": tok("status"), "date": DATE, "class": tok("class"),
                  "location": ref("location.location"), "practitioner": ref("participant.individual")},
    "MedicationAdministration": {"patient": PATIENT, "subject": PATIENT, "status": tok("status"), "effective-time": DATE,
                                 "request": ref("request"), "context": ref("context"), "performer": ref("performer.actor")},
    "Observation": {"patient": PATIENT, "subject": PATIENT, "code": tok("code"), "category": tok("category"),
                    "status": tok("status"), "date": DATE, "encounter": ref("encounter")},
    "QuestionnaireResponse": {"patient": PATIENT, "subject": PATIENT, "status": tok("status"), "authored": DATE,
                              "questionnaire": ref("questionnaire")},
    "Questionnaire": {"code": tok("code"), "status": tok("status"), "url": tok("url")},
    "AdverseEvent": {"patient": PATIENT, "subject": PATIENT, "date": DATE, "seriousness": tok("seriousness"),
                     "severity": tok("severity")},
    "AllergyIntolerance": {"patient": PATIENT_OF_ALLERGY, "clinical-status": tok("clinicalStatus")},
    "MedicationStatement": {"patient": PATIENT, "subject": PATIENT, "status": tok("status")},
    "Group": {"type": tok("type")},
    "AuditEvent": {"patient": Param("patient", "entity.what", "the patient whose record was read or written"),
                   "date": DATE, "action": tok("action"), "subtype": tok("subtype"), "agent": ref("agent.who")},
}
COMMON = ("_id", "_lastUpdated")
CONTROL = ("_count", "_offset", "_sort", "_include", "_revinclude", "_format", "_pretty", "_elements", "_summary")


def values_at(node: Any, path: str) -> list[Any]:
    """Every value at a dotted path, flattening lists on the way."""
    found = [node]
    for step in path.split(".") if path else []:
        nxt: list[Any] = []
        for item in found:
            value = item.get(step) if isinstance(item, dict) else None
            nxt.extend(value if isinstance(value, list) else [] if value is None else [value])
        found = nxt
    return found


def references_at(resource: dict[str, Any], path: str) -> list[str]:
    """Literal references ("Type/id") at a path; canonical Questionnaire URLs count as references."""
    out = []
    for value in values_at(resource, path):
        if isinstance(value, dict) and isinstance(value.get("reference"), str):
            out.append(value["reference"])
        elif isinstance(value, str) and value.startswith(questionnaire_url("")):
            out.append("Questionnaire/" + value.rsplit("/", 1)[-1])
    return out


def _pairs(value: Any) -> list[tuple[str | None, str]]:
    if isinstance(value, str):
        return [(None, value)]
    if not isinstance(value, dict):
        return []
    if "coding" in value:
        return [(c.get("system"), c.get("code", "")) for c in value["coding"]]
    if "code" in value:
        return [(value.get("system"), value["code"])]
    if "value" in value:
        return [(value.get("system"), str(value["value"]))]
    return []


def token_matches(resource: dict[str, Any], path: str, wanted: str) -> bool:
    """FHIR token matching: `code`, `system|code`, `|code` (no system) or `system|` (any code)."""
    system, bar, code = wanted.rpartition("|") if "|" in wanted else (None, "", wanted)
    for found_system, found_code in (p for v in values_at(resource, path) for p in _pairs(v)):
        if not bar and found_code == code:
            return True
        if bar and (found_system or "") == system and (code == "" or found_code == code):
            return True
    return False


DATE_VALUE = re.compile(r"^(eq|ne|gt|lt|ge|le|sa|eb|ap)?(\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?)$")


def date_interval(text: str) -> tuple[str, datetime, datetime]:
    """(prefix, start, end) of a FHIR date search value; the end is exclusive. Dates without a zone are UTC."""
    match = DATE_VALUE.match(text)
    if match is None:
        raise bad_request(f"{text!r} is not a FHIR date (e.g. ge2024-05-01 or lt2024-05-01T10:00:00Z).")
    prefix, value = match.group(1) or "eq", match.group(2)
    if prefix not in ("eq", "gt", "lt", "ge", "le"):
        raise bad_request(f"The date prefix {prefix!r} is not supported here: use eq, gt, lt, ge or le.")
    if "T" in value:
        start = datetime.fromisoformat(value.replace("Z", "+00:00"))
        start = start if start.tzinfo else start.replace(tzinfo=UTC)
        step = timedelta(seconds=1) if value.count(":") >= 2 else timedelta(minutes=1)
        return prefix, start, start + step
    parts = [int(p) for p in value.split("-")]
    year, month, day_ = parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1
    try:
        start_day = date(year, month, day_)
    except ValueError:
        raise bad_request(f"{text!r} is not a real date.") from None
    if len(parts) == 3:
        end_day = start_day + timedelta(days=1)
    elif len(parts) == 2:
        end_day = date(year + month // 12, month % 12 + 1, 1)
    else:
        end_day = date(year + 1, 1, 1)
    as_dt = lambda d: datetime(d.year, d.month, d.day, tzinfo=UTC)  # noqa: E731
    return prefix, as_dt(start_day), as_dt(end_day)


def date_lookups(path: str, text: str, dates_only: bool = False) -> dict[str, Any]:
    """ORM lookups for one date search value on a column."""
    prefix, start, end = date_interval(text)
    lo, hi = (start.date(), end.date()) if dates_only else (start, end)
    return {"eq": {f"{path}__gte": lo, f"{path}__lt": hi}, "ge": {f"{path}__gte": lo}, "gt": {f"{path}__gte": hi},
            "lt": {f"{path}__lt": lo}, "le": {f"{path}__lt": hi}}[prefix]


def instant_matches(value: str | None, text: str) -> bool:
    """Whether an instant in a resource (meta.lastUpdated) matches a date search value."""
    if not value:
        return False
    prefix, start, end = date_interval(text)
    at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return {"eq": start <= at < end, "ge": at >= start, "gt": at >= end, "lt": at < start, "le": at < end}[prefix]
