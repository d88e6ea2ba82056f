"""The stored assessment slots (DueSlot) equal the schedule worked out from each course's history (ADR 0013).

The reference is the old per-request computation (`queries.computed_due_items`, the kernel's
`plan_slots` over every followed course); the stored rows must give the same lists at any moment,
after any sequence of the services that change their inputs.
"""

import random
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from courses import services as courses
from ketacare.testing import book_at, demo_rolled_back, make_chair, make_course
from measures import queries, readmodel, services
from measures.models import DueSlot
from scheduling import services as scheduling
from toolkit.errors import ServiceError

from .conftest import set_policy

pytestmark = pytest.mark.django_db
MOMENTS = (timedelta(days=-30), timedelta(0), timedelta(days=2), timedelta(days=9), timedelta(days=40),
           timedelta(days=120), timedelta(days=500))


def listed(items):
    """A due list as comparable rows: who, which item, its status, its deadline (in list order)."""
    return [(i.patient.pk, i.course.pk, i.slot.point_key, i.slot.occurrence, i.slot.instrument, i.status, i.slot.due_by)
            for i in items]


def order_key(row):
    return (row[5] != "overdue", row[6])


def assert_same_lists(clinic, when):
    stored, computed = listed(queries.due_items(clinic, when)), listed(queries.computed_due_items(clinic, when))
    assert sorted(stored) == sorted(computed)
    assert [order_key(r) for r in stored] == [order_key(r) for r in computed]  # overdue first, then by deadline
    total, overdue = queries.due_counts(clinic, when)
    assert (total, overdue) == (len(computed), sum(r[5] == "overdue" for r in computed))


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with demo_rolled_back(django_db_blocker, seed=5) as ctx:
        yield ctx


def test_the_demo_clinics_stored_slots_equal_the_computed_schedule_at_any_moment(demo):
    assert DueSlot.objects.in_clinic(demo.clinic).exists()
    assert readmodel.check(demo.clinic) == []
    for shift in MOMENTS:
        assert_same_lists(demo.clinic, datetime.now(UTC) + shift)


def test_the_chart_schedule_and_check_in_list_match_the_computation(demo):
    from courses.models import TreatmentCourse

    now = datetime.now(UTC)
    for course in TreatmentCourse.objects.in_clinic(demo.clinic).select_related("patient"):
        followed = queries.followed_courses(demo.clinic, now)
        computed = queries._items(followed.filter(patient=course.patient), now, open_only=False)
        assert sorted(listed(queries.patient_schedule(course.patient, now))) == sorted(listed(computed))
        session = course.sessions.first()
        if session is not None:
            reference = queries._items(TreatmentCourse.objects.filter(pk=course.pk).select_related("patient")
                                       .prefetch_related("sessions", "assessments"), now)
            assert listed(queries.due_before_session(session, now)) == listed(reference)


SIZES = {"phq9": 9, "pcl5": 20, "gad7": 7}


def _act(rng, world, course, chair, now):
    """One random write through a service that changes the schedule's inputs (refusals change nothing)."""
    sessions = list(course.sessions.order_by("scheduled_start"))
    live = [s for s in sessions if s.state == "scheduled"]
    action = rng.choice(["book", "book", "back_enter", "cancel", "no_show", "move", "assess", "assess", "end", "policy"])
    if action == "book":
        book_at(world, course, chair, now + timedelta(days=rng.randint(1, 40), hours=rng.randint(0, 8)))
    elif action == "back_enter":
        book_at(world, course, chair, now - timedelta(days=rng.randint(1, 60), hours=rng.randint(0, 8)))
    elif action == "cancel" and live:
        scheduling.cancel_session(session=rng.choice(live), reason="Patient asked to cancel", by=world.nurse)
    elif action == "no_show" and live:
        scheduling.record_no_show(session=rng.choice(live), reason="Did not come, phone not answered", by=world.nurse)
    elif action == "move" and live:
        scheduling.reschedule_session(session=rng.choice(live), chair=chair, reason="Patient asked to move it",
                                      starts_at=now + timedelta(days=rng.randint(1, 30), hours=3), by=world.nurse)
    elif action == "assess":
        slots = [s for s in queries.course_slots(course, now) if s.opens_at < now and s.instrument in SIZES]
        if slots:  # answer an item of the schedule, inside its window when it can be
            s = rng.choice(slots)
            at = min(now, s.opens_at + timedelta(hours=rng.randint(0, 60)))
            services.record_assessment(patient=course.patient, course=course, instrument=s.instrument,
                                       items=[1] * SIZES[s.instrument], assessed_at=at, point_key=s.point_key,
                                       occurrence=s.occurrence, by=world.nurse)
    elif action == "end" and course.status == "active" and rng.random() < 0.3:
        courses.end_course(course=course, status="completed", by=world.prescriber)
    elif action == "policy":
        set_policy(world, world.a, measures_due_window_hours=rng.choice([24, 48, 72]),
                   measures_overdue_hours=rng.choice([72, 168, 336]))


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_stored_slots_equal_the_computation_after_any_sequence_of_writes(world, seed):
    rng, now = random.Random(seed), datetime.now(UTC).replace(microsecond=0)
    made = [make_course(world, mrn=f"RM-{seed}-{n}") for n in range(3)]
    chairs = [make_chair(world, name=f"Chair {seed}-{n}") for n in range(3)]
    for _ in range(18):
        n = rng.randrange(3)
        course = type(made[n]).objects.get(pk=made[n].pk)
        try:
            _act(rng, world, course, chairs[n], now)
        except ServiceError:
            pass  # a refused write changed nothing, so the rows must still agree
        assert readmodel.check(world.a) == []
    for shift in MOMENTS:
        assert_same_lists(world.a, datetime.now(UTC) + shift)


def test_the_check_finds_a_stale_row_and_rebuild_repairs_it(world):
    course = make_course(world)
    book_at(world, course, make_chair(world), datetime.now(UTC) + timedelta(days=2))
    row = DueSlot.objects.filter(course=course).order_by("position").first()
    DueSlot.objects.filter(pk=row.pk).update(done_at=datetime.now(UTC))
    problems = readmodel.check(world.a)
    assert len(problems) == 1 and problems[0].startswith(f"course {course.pk}: ")
    with pytest.raises(CommandError, match="differ from their inputs"):
        call_command("readmodels", "check")
    call_command("readmodels", "rebuild", "--clinic", "clinic-a")
    assert readmodel.check(world.a) == []
    call_command("readmodels", "check")


def test_a_course_of_another_clinic_writes_rows_only_in_that_clinic(world):
    other = make_course(world, clinic=world.b)
    book_at(world, other, make_chair(world, world.b), datetime.now(UTC) + timedelta(days=2))
    assert DueSlot.objects.filter(course=other).exists()
    assert not DueSlot.objects.in_clinic(world.a).exists()
    assert all(r.clinic_id == world.b.pk for r in DueSlot.objects.filter(course=other))
