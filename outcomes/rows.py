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

from django.db.models import Count, Max, Q
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


def _sessions(courses: Any) -> dict[int, list[dict[str, Any]]]:
    """Started sessions of the courses with their first and peak BP, pause, CADSS and AE counts."""
    from django.db.models import OuterRef, Subquery
    from django.db.models.fields.json import KT

    from infusions.models import AdverseEvent, InfusionSession, SessionEvent, VitalSign

    sessions = InfusionSession.objects.filter(course__in=courses, started_at__isnull=False)
    first = VitalSign.objects.filter(session=OuterRef("pk"), systolic_mmhg__isnull=False).order_by("measured_at", "pk")
    rows = (sessions.annotate(first_sbp=Subquery(first.values("systolic_mmhg")[:1]),
                              first_dbp=Subquery(first.values("diastolic_mmhg")[:1]), cadss_total=KT("cadss__total"))
            .values("id", "course_id", "number", "started_at", "state", "cadss_total", "first_sbp", "first_dbp")
            .order_by("course_id", "number"))
    peaks = {r["session_id"]: (r["sbp"], r["dbp"]) for r in VitalSign.objects.filter(session__in=sessions)
             .values("session_id").annotate(sbp=Max("systolic_mmhg"), dbp=Max("diastolic_mmhg")).order_by()}
    paused = set(SessionEvent.objects.filter(session__in=sessions, to_state="paused")
                 .values_list("session_id", flat=True))
    aes = {r["session_id"]: (r["n"], r["serious"]) for r in AdverseEvent.objects.filter(session__in=sessions)
           .values("session_id").annotate(n=Count("id"), serious=Count("id", filter=Q(serious=True))).order_by()}
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        row["peak_sbp"], row["peak_dbp"] = peaks.get(row["id"], (None, None))
        row["paused"], row["ae"] = row["id"] in paused, aes.get(row["id"], (0, 0))
        found[row["course_id"]].append(row)
    return found


def _courses(clinics: list[Any], filters: Filters) -> Any:
    from courses.models import TreatmentCourse

    query = TreatmentCourse.objects.filter(clinic__in=clinics)
    if filters.protocol_id is not None:
        query = query.filter(protocol_id=filters.protocol_id)
    return query


def _infusion_rows(code: str, clinic_code: str, sessions: list[dict[str, Any]], start: date,
                   tz: zoneinfo.ZoneInfo) -> list[tuple[Any, ...]]:
    out = []
    for s in sessions:
        cadss = None if s["cadss_total"] in (None, "", "null") else int(float(s["cadss_total"]))
        out.append((code, clinic_code, s["number"], (_local_day(s["started_at"], tz) - start).days, s["first_sbp"],
                    s["first_dbp"], s["peak_sbp"], s["peak_dbp"], int(s["paused"]), int(s["state"] == "stopped_early"),
                    int(s["state"] == "transferred"), s["ae"][0], s["ae"][1], cadss))
    return out


def _assessment_rows(courses: Any) -> dict[int, list[tuple[Any, ...]]]:
    from django.db.models.fields.json import KT

    from measures.models import Assessment

    found: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    clusters = {f"sub_{c}": KT(f"result__subscales__{c.upper()}") for c in CLUSTERS}
    rows = (Assessment.objects.filter(course__in=courses, total__isnull=False).annotate(**clusters)
            .order_by("course_id", "assessed_at", "pk")
            .values_list("course_id", "instrument", "point_key", "assessed_at", "total", *clusters))
    for row in rows:
        found[row[0]].append(row[1:])
    return found


def _int(value: Any) -> int | None:
    return None if value in (None, "", "null") else int(float(value))


def build_rows(clinics: list[Any], filters: Filters = Filters()) -> ExportRows:  # noqa: B008 - frozen
    """Every course of the clinics with at least one infusion started, de-identified."""
    from accounts.models import Clinic

    courses = _courses(clinics, filters)
    sessions, assessments = _sessions(courses), _assessment_rows(courses)
    zones = {c.pk: zoneinfo.ZoneInfo(c.time_zone) for c in Clinic.objects.filter(pk__in=[c.pk for c in clinics])}
    out = ExportRows()
    fields = ("id", "clinic_id", "status", "patient__date_of_birth", "patient__sex", "protocol_snapshot",
              "protocol__n_infusions")
    for course in courses.order_by("pk").values(*fields):
        mine = sessions.get(course["id"])
        if not mine:
            continue  # never started: no day 0
        tz = zones[course["clinic_id"]]
        start = _local_day(mine[0]["started_at"], tz)
        if (filters.started_from and start < filters.started_from) or (filters.started_to and start > filters.started_to):
            continue
        _add_course(out, course, mine, start, tz, assessments.get(course["id"], []))
    return _numbered(out)


def _numbered(rows: ExportRows) -> ExportRows:
    """Append `course_n`, the rank of each course's pseudonym in this export, and sort by it."""
    rank = {code: n for n, code in enumerate(sorted(r[0] for r in rows.courses))}
    return ExportRows(
        courses=sorted(((*r, rank[r[0]]) for r in rows.courses), key=lambda r: r[-1]),
        assessments=sorted(((*r, rank[r[0]]) for r in rows.assessments), key=lambda r: (r[-1], r[-2])),
        infusions=sorted(((*r, rank[r[0]]) for r in rows.infusions), key=lambda r: (r[-1], r[2])),
    )


def _add_course(out: ExportRows, course: dict[str, Any], sessions: list[dict[str, Any]], start: date,
                tz: zoneinfo.ZoneInfo, assessments: list[tuple[Any, ...]]) -> None:
    code, clinic_code = pseudonym("course", course["id"]), pseudonym("clinic", course["clinic_id"])
    last_day = (_local_day(sessions[-1]["started_at"], tz) - start).days
    planned = (course["protocol_snapshot"] or {}).get("n_infusions", course["protocol__n_infusions"])
    out.courses.append((code, clinic_code, course["status"], age_band(course["patient__date_of_birth"], start),
                        course["patient__sex"], start.year, planned, len(sessions), last_day))
    for seq, (instrument, point, at, total, *clusters) in enumerate(assessments):
        subscales = tuple(_int(v) for v in clusters) if instrument == "pcl5" else (None,) * 4
        out.assessments.append((code, clinic_code, instrument, point or "unscheduled",
                                (_local_day(at, tz) - start).days, total, *subscales, seq))
    out.infusions.extend(_infusion_rows(code, clinic_code, sessions, start, tz))
