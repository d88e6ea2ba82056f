"""The outcome report page for one clinic of 5,000 courses: render time, beside the kernel's per-course loop.

The clinic is the small demo (built through the services) whose started courses
are copied row for row (patients, screenings, courses, sessions, vitals,
session events, adverse events, assessments) until it holds N courses: a
benchmark fixture in a throwaway database, so it writes with bulk_create.
"""

from __future__ import annotations

import copy
import statistics
import time
from typing import Any

COURSES = 5000


def _clone(objs: list[Any], **fields: Any) -> list[Any]:
    out = []
    for obj in objs:
        new = copy.copy(obj)
        new.pk = None
        new.id = None
        for name, value in fields.items():
            setattr(new, name, value(obj) if callable(value) else value)
        out.append(new)
    return out


def _copy_courses(templates: list[Any], count: int, model: dict[str, Any]) -> None:
    """Copy ``count`` courses (cycling through ``templates``) level by level, one bulk insert a table."""
    chosen = [templates[n % len(templates)] for n in range(count)]

    def insert(name: str, objs: list[Any]) -> list[Any]:
        return model[name].objects.bulk_create(objs, batch_size=500)

    patients = insert("Patient", [_clone([t.patient], mrn=f"BENCH-{n:06d}")[0] for n, t in enumerate(chosen)])
    screenings = insert("EligibilityScreening", [_clone([t.screening], patient=p)[0]
                                                 for t, p in zip(chosen, patients, strict=True)])
    courses = insert("TreatmentCourse", [_clone([t], patient=p, screening=s)[0]
                                         for t, p, s in zip(chosen, patients, screenings, strict=True)])
    old_sessions = {t.pk: list(t.sessions.all()) for t in templates}
    pairs = [(old, new_course, p) for t, new_course, p in zip(chosen, courses, patients, strict=True)
             for old in old_sessions[t.pk]]
    sessions = insert("InfusionSession", [_clone([old], course=c, patient=p)[0] for old, c, p in pairs])
    children = {name: {s.pk: list(getattr(s, rel).all()) for group in old_sessions.values() for s in group}
                for name, rel in (("VitalSign", "vitals"), ("SessionEvent", "events"),
                                  ("AdverseEvent", "adverse_events"))}
    for name, by_session in children.items():
        extra = {"patient": None} if name == "AdverseEvent" else {}
        rows = []
        for (old, _, p), new in zip(pairs, sessions, strict=True):
            rows += _clone(by_session[old.pk], session=new, **({"patient": p} if extra else {}))
        insert(name, rows)
    old_assessments = {t.pk: list(t.assessments.all()) for t in templates}
    insert("Assessment", [a for t, c, p in zip(chosen, courses, patients, strict=True)
                          for a in _clone(old_assessments[t.pk], course=c, patient=p)])


def build_clinic(courses: int = COURSES) -> Any:
    """The demo clinic grown to ``courses`` courses; returns the demo context."""
    from django.db import transaction

    from courses.models import TreatmentCourse
    from infusions.models import AdverseEvent, InfusionSession, SessionEvent, VitalSign
    from ketacare.demo import build_apps
    from ketacare.management.commands.demo import Command
    from measures.models import Assessment
    from patients.models import EligibilityScreening, Patient

    model = {m.__name__: m for m in (Patient, EligibilityScreening, TreatmentCourse, InfusionSession, VitalSign,
                                     SessionEvent, AdverseEvent, Assessment)}
    ctx = Command()._context(17, lambda message: None)
    ctx.small = True
    with transaction.atomic():
        build_apps(ctx)
    started = [c for c in TreatmentCourse.objects.in_clinic(ctx.clinic).select_related("patient", "screening")
               if c.sessions.filter(started_at__isnull=False).exists()]
    have = TreatmentCourse.objects.in_clinic(ctx.clinic).count()
    with transaction.atomic():
        _copy_courses(started, courses - have, model)
    return ctx


def bench_outcomes_page(courses: int = COURSES) -> None:
    from django.test import Client

    from clinical.outcomes_report import build_report
    from clinical.outcomes_rules import AssessmentRow, CourseRow, InfusionRow
    from outcomes.report import clinic_definitions
    from outcomes.rows import build_rows

    ctx = build_clinic(courses)
    client = Client()
    client.force_login(ctx.users["researcher"])
    client.get("/outcomes/")  # warm the imports and the template cache
    renders = []
    for _ in range(5):
        start = time.perf_counter()
        response = client.get("/outcomes/")
        renders.append(time.perf_counter() - start)
        assert response.status_code == 200 and b'class="km-line"' in response.content
    rows = build_rows([ctx.clinic])

    def kernel() -> None:
        build_report([CourseRow(*r[:3], r[7], r[8]) for r in rows.courses],
                     [AssessmentRow(*r[:6], r[10], *r[6:10]) for r in rows.assessments],
                     [InfusionRow(*r[:14]) for r in rows.infusions], clinic_definitions(ctx.clinic))

    loops = []
    for _ in range(3):
        start = time.perf_counter()
        rows = build_rows([ctx.clinic])
        kernel()
        loops.append(time.perf_counter() - start)
    page, loop = statistics.median(renders), statistics.median(loops)
    print(f"outcome report page, one clinic of {len(rows.courses):,} started courses / {len(rows.assessments):,} "
          f"assessments: {page * 1000:7.0f} ms a render (median of 5; goal <= 300 ms)   baseline: the same rows "
          f"through the kernel's per-course loop, without the page {loop * 1000:7.0f} ms   ratio {loop / page:4.1f}")
