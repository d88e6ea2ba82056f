"""Keep the stored assessment slots (DueSlot) equal to the kernel's schedule (ADR 0013).

`refresh_course` recomputes one course's items with `plan_slots` and replaces its rows. It runs
inside the transaction of every service that changes an input: a course ordered or ended, a
session booked, moved, started, cancelled or missed (the `toolkit.readmodels` signals), an
assessment recorded, the clinic's due windows changed. `rebuild` backfills every course
(`ketacare readmodels rebuild`) and `check` compares the rows with a fresh computation.
"""

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from django.db.models import Prefetch, Q

from courses.choices import CourseStatus
from courses.models import TreatmentCourse
from toolkit.locking import for_update

from .models import Assessment, DueSlot
from .queries import FOLLOW_UP_HORIZON, course_slots

NEVER_FOLLOWED = datetime(1970, 1, 1, tzinfo=UTC)
"""`followed_until` of a course that ended without an end time: no dashboard follows it."""
FIELDS = ("position", "point_key", "label", "instrument", "occurrence", "opens_at", "due_by", "closes_at",
          "done_at", "followed_until")


WINDOW_KEYS = frozenset({"measures_due_window_hours", "measures_overdue_hours"})


def followed_until(course: Any) -> datetime | None:
    """None while the course is active, else the end of its follow-up horizon (queries.followed_courses)."""
    if course.status == CourseStatus.ACTIVE:
        return None
    return NEVER_FOLLOWED if course.ended_at is None else course.ended_at + FOLLOW_UP_HORIZON


def rows_of(course: Any) -> list[DueSlot]:
    """The course's items as unsaved rows (the course has its sessions and assessments prefetched)."""
    until = followed_until(course)
    return [DueSlot(clinic_id=course.clinic_id, patient_id=course.patient_id, course_id=course.pk, position=n,
                    point_key=s.point_key, label=s.label, instrument=s.instrument, occurrence=s.occurrence,
                    opens_at=s.opens_at, due_by=s.due_by, closes_at=s.closes_at, done_at=s.done_at,
                    followed_until=until)
            for n, s in enumerate(course_slots(course, datetime.now(UTC)))]


def loaded(courses: Any) -> Any:
    """Courses with what `course_slots` reads, in few queries."""
    # The sessions' model through the course's reverse relation: measures sits below infusions (ADR 0012).
    session_model: Any = TreatmentCourse._meta.get_field("sessions").related_model
    sessions = session_model._default_manager.only("pk", "course_id", "number", "scheduled_start", "started_at", "state")
    assessments = Assessment.objects.only("pk", "course_id", "instrument", "assessed_at", "point_key", "occurrence")
    return (courses.select_related("protocol", "clinic")
            .prefetch_related(Prefetch("sessions", sessions), Prefetch("assessments", assessments)))


def _replace(course_ids: list[Any], rows: list[DueSlot]) -> int:
    """Write the courses' rows over the stored ones (upsert by position, then drop positions past the end)."""
    DueSlot.objects.bulk_create(rows, batch_size=1000, update_conflicts=True, unique_fields=["course", "position"],
                                update_fields=[f for f in FIELDS if f != "position"])
    counts: dict[Any, int] = {c: 0 for c in course_ids}
    for r in rows:
        counts[r.course_id] += 1
    stale = Q()
    for course_id, n in counts.items():
        stale |= Q(course_id=course_id, position__gte=n)
    DueSlot.objects.filter(stale).delete()
    return len(rows)


def refresh_course(course_id: Any) -> None:
    """Recompute one course's items and store them (in the caller's transaction).

    The course's stored rows are locked first (ketacare/locking.py: the read model's rows come after
    every other lock of the transaction), so two writes to one course refresh one after the other and
    the second computes from what the first committed.
    """
    list(for_update(DueSlot.objects.filter(course_id=course_id)).values_list("pk", flat=True))
    course = loaded(TreatmentCourse.objects.filter(pk=course_id)).first()
    if course is None:
        DueSlot.objects.filter(course_id=course_id).delete()
    else:
        _replace([course.pk], rows_of(course))


def refresh_courses(courses: Any, batch: int = 500) -> int:
    """Recompute and store the items of many courses (a queryset), `batch` courses at a time; return the rows."""
    written, ids = 0, list(courses.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        chunk = ids[start:start + batch]
        rows = [r for c in loaded(TreatmentCourse.objects.filter(pk__in=chunk)) for r in rows_of(c)]
        written += _replace(chunk, rows)
    return written


def rebuild(clinic: Any = None) -> int:
    """Backfill: recompute every course's items (of one clinic, or all); return the rows written."""
    courses = TreatmentCourse.objects.all() if clinic is None else TreatmentCourse.objects.in_clinic(clinic)
    return refresh_courses(courses)


def check(clinic: Any = None) -> list[str]:
    """Compare the stored items with a fresh computation; describe every course that differs."""
    courses = TreatmentCourse.objects.all() if clinic is None else TreatmentCourse.objects.in_clinic(clinic)
    problems = []
    for course in loaded(courses.order_by("pk")).iterator(chunk_size=500):
        want = [tuple(getattr(r, f) for f in FIELDS) for r in rows_of(course)]
        have = [tuple(r) for r in DueSlot.objects.filter(course_id=course.pk).order_by("position").values_list(*FIELDS)]
        if want != have:
            problems.append(f"course {course.pk}: {len(have)} stored assessment items differ from the "
                            f"{len(want)} its sessions and assessments give")
    return problems


def on_course_changed(sender: Any, course_id: Any, **kwargs: Any) -> None:
    refresh_course(course_id)


def on_policy_changed(sender: Any, clinic: Any, keys: Iterable[str] = (), **kwargs: Any) -> None:
    if WINDOW_KEYS & set(keys):
        rebuild(clinic)


def backfill_after_migrate(**kwargs: Any) -> None:
    """After `migrate`: fill the slots of a database that has courses but no slots yet (an upgrade)."""
    if not DueSlot.objects.exists() and TreatmentCourse.objects.exists():
        rebuild()
