"""The research export's rows read from the database: Safe Harbor de-identified (CLINICAL.md s6).

Days are whole local calendar days from the course's first infusion (day 0);
the only date element kept is the year the course started; ages are 10-year
bands with 90+; `course` and `clinic` are keyed pseudonyms (HMAC with a key
derived from the installation's SECRET_KEY, which never leaves it). No name,
MRN, contact, date or free text is read into a row. One query per table, not
one per course.
"""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Max, Min, Q
from django.utils.crypto import salted_hmac

from clinical.outcomes_rules import CLUSTERS

PSEUDONYM_SALT = "ketacare.outcomes.research-pseudonym"


def pseudonym(kind: str, pk: int) -> str:
    """A keyed code for a course ("C-") or clinic ("K-"): stable here, not reversible without the key."""
    digest = salted_hmac(PSEUDONYM_SALT, f"{kind}|{pk}", algorithm="sha256").hexdigest()
    return ("C-" if kind == "course" else "K-") + digest[:12].upper()


def age_band(born: date, on: date) -> str:
    """Age in 10-year bands, ages over 89 as "90+" (45 CFR 164.514(b)(2), CLINICAL.md s6)."""
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    if age > 89:
        return "90+"
    low = (age // 10) * 10
    return f"{low}-{low + 9}"


@dataclass
class ExportRows:
    """The three tables as tuples in the column order above."""

    courses: list[tuple[Any, ...]] = field(default_factory=list)
    assessments: list[tuple[Any, ...]] = field(default_factory=list)
    infusions: list[tuple[Any, ...]] = field(default_factory=list)


@dataclass(frozen=True)
class Filters:
    """Which courses to include: by protocol and by the first infusion's local date."""

    protocol_id: int | None = None
    started_from: date | None = None
    started_to: date | None = None


def _local_day(at: datetime, tz: zoneinfo.ZoneInfo) -> date:
    return at.astimezone(tz).date()


def _sessions(course_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    from infusions.models import InfusionSession

    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    rows = (InfusionSession.objects.filter(course_id__in=course_ids, started_at__isnull=False)
            .annotate(peak_sbp=Max("vitals__systolic_mmhg"), peak_dbp=Max("vitals__diastolic_mmhg"),
                      first_vital_at=Min("vitals__measured_at"),
                      paused=Count("events", filter=Q(events__to_state="paused"), distinct=True))
            .values("id", "course_id", "number", "started_at", "state", "cadss", "peak_sbp", "peak_dbp",
                    "first_vital_at", "paused").order_by("course_id", "number"))
    for row in rows:
        found[row["course_id"]].append(row)
    return found


def _first_vitals(session_ids: list[int]) -> dict[int, tuple[int | None, int | None]]:
    from infusions.models import VitalSign

    first: dict[int, tuple[int | None, int | None]] = {}
    rows = (VitalSign.objects.filter(session_id__in=session_ids, systolic_mmhg__isnull=False)
            .order_by("session_id", "measured_at", "pk").values_list("session_id", "systolic_mmhg", "diastolic_mmhg"))
    for session_id, sbp, dbp in rows:
        first.setdefault(session_id, (sbp, dbp))
    return first


def _adverse_events(session_ids: list[int]) -> dict[int, tuple[int, int]]:
    from infusions.models import AdverseEvent

    rows = (AdverseEvent.objects.filter(session_id__in=session_ids).values("session_id")
            .annotate(n=Count("id"), serious=Count("id", filter=Q(serious=True))))
    return {r["session_id"]: (r["n"], r["serious"]) for r in rows}


def _courses(clinics: list[Any], filters: Filters) -> list[Any]:
    from courses.models import TreatmentCourse

    query = TreatmentCourse.objects.filter(clinic__in=clinics).select_related("patient", "protocol", "clinic")
    if filters.protocol_id is not None:
        query = query.filter(protocol_id=filters.protocol_id)
    return list(query.order_by("pk"))


def _infusion_rows(course: Any, clinic_code: str, sessions: list[dict[str, Any]], start: date,
                   tz: zoneinfo.ZoneInfo, first: dict[int, tuple[int | None, int | None]],
                   aes: dict[int, tuple[int, int]]) -> list[tuple[Any, ...]]:
    code = pseudonym("course", course.pk)
    out = []
    for s in sessions:
        sbp, dbp = first.get(s["id"], (None, None))
        ae_n, ae_serious = aes.get(s["id"], (0, 0))
        cadss = (s["cadss"] or {}).get("total")
        out.append((code, clinic_code, s["number"], (_local_day(s["started_at"], tz) - start).days, sbp, dbp,
                    s["peak_sbp"], s["peak_dbp"], int(s["paused"] > 0), int(s["state"] == "stopped_early"),
                    int(s["state"] == "transferred"), ae_n, ae_serious, cadss))
    return out


def _assessment_rows(course_ids: list[int]) -> dict[int, list[tuple[Any, ...]]]:
    from measures.models import Assessment

    found: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    rows = (Assessment.objects.filter(course_id__in=course_ids, total__isnull=False)
            .order_by("course_id", "assessed_at", "pk")
            .values_list("course_id", "instrument", "point_key", "assessed_at", "total", "result"))
    for row in rows:
        found[row[0]].append(row[1:])
    return found


def _subscales(instrument: str, result: Any) -> tuple[Any, ...]:
    if instrument != "pcl5" or not isinstance(result, dict):
        return (None,) * 4
    sub = result.get("subscales") or {}
    return tuple(sub.get(c.upper()) for c in CLUSTERS)


def build_rows(clinics: list[Any], filters: Filters = Filters()) -> ExportRows:  # noqa: B008 - frozen
    """Every course of the clinics with at least one infusion started, de-identified."""
    courses = _courses(clinics, filters)
    ids = [c.pk for c in courses]
    sessions = _sessions(ids)
    session_ids = [s["id"] for group in sessions.values() for s in group]
    first, aes = _first_vitals(session_ids), _adverse_events(session_ids)
    assessments = _assessment_rows(ids)
    out = ExportRows()
    for course in courses:
        mine = sessions.get(course.pk)
        if not mine:
            continue  # never started: no day 0
        tz = zoneinfo.ZoneInfo(course.clinic.time_zone)
        start = _local_day(mine[0]["started_at"], tz)
        if (filters.started_from and start < filters.started_from) or (filters.started_to and start > filters.started_to):
            continue
        _add_course(out, course, mine, start, tz, first, aes, assessments.get(course.pk, []))
    return _numbered(out)


def _numbered(rows: ExportRows) -> ExportRows:
    """Append `course_n`, the rank of each course's pseudonym in this export, and sort by it."""
    rank = {code: n for n, code in enumerate(sorted(r[0] for r in rows.courses))}
    return ExportRows(
        courses=sorted(((*r, rank[r[0]]) for r in rows.courses), key=lambda r: r[-1]),
        assessments=sorted(((*r, rank[r[0]]) for r in rows.assessments), key=lambda r: (r[-1], r[-2])),
        infusions=sorted(((*r, rank[r[0]]) for r in rows.infusions), key=lambda r: (r[-1], r[2])),
    )


def _add_course(out: ExportRows, course: Any, sessions: list[dict[str, Any]], start: date, tz: zoneinfo.ZoneInfo,
                first: dict[int, tuple[int | None, int | None]], aes: dict[int, tuple[int, int]],
                assessments: list[tuple[Any, ...]]) -> None:
    code, clinic_code = pseudonym("course", course.pk), pseudonym("clinic", course.clinic_id)
    last_day = (_local_day(sessions[-1]["started_at"], tz) - start).days
    planned = (course.protocol_snapshot or {}).get("n_infusions", course.protocol.n_infusions)
    out.courses.append((code, clinic_code, course.status, age_band(course.patient.date_of_birth, start),
                        course.patient.sex, start.year, planned, len(sessions), last_day))
    for seq, (instrument, point, at, total, result) in enumerate(assessments):
        out.assessments.append((code, clinic_code, instrument, point or "unscheduled",
                                (_local_day(at, tz) - start).days, total, *_subscales(instrument, result), seq))
    out.infusions.extend(_infusion_rows(course, clinic_code, sessions, start, tz, first, aes))
