"""Shared test personas and builders (healthchecks-style): used by every app's tests.

Clinic A has a prescriber, a nurse, a therapist, a front-desk user, a clinic admin, an
inventory officer and a researcher; clinic B has its own prescriber and nurse. Everything is
created through services so fixtures exercise the same doors as the application.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from accounts import services as accounts
from accounts.choices import Role
from accounts.models import Clinic, User

PASSWORD = "correct-horse-battery"  # noqa: S105 - test persona password


@dataclass
class World:
    a: Clinic
    b: Clinic
    users: dict[str, User] = field(default_factory=dict)  # role -> user of clinic A
    b_users: dict[str, User] = field(default_factory=dict)  # role -> user of clinic B

    def __getattr__(self, name: str) -> Any:
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)


def build_world() -> World:
    """Two clinics and one user per role in A, every role again in B."""
    a = accounts.create_clinic(name="Clinic A", slug="clinic-a", by="test")
    b = accounts.create_clinic(name="Clinic B", slug="clinic-b", by="test")
    world = World(a=a, b=b)
    for role in Role.values:
        world.users[role] = accounts.create_staff(clinic=a, username=f"a_{role}", password=PASSWORD, role=role,
                                                  first_name="Test", last_name=role.title(), by="test")
        world.b_users[role] = accounts.create_staff(clinic=b, username=f"b_{role}", password=PASSWORD, role=role,
                                                    first_name="Other", last_name=role.title(), by="test")
    return world


def patient_values(mrn: str = "T-0001", **extra: Any) -> dict[str, Any]:
    values = {
        "mrn": mrn, "given_name": "Testy", "family_name": "Synthetic", "date_of_birth": date(1985, 5, 17),
        "sex": "female", "height_cm": Decimal("168.0"), "weight_kg": Decimal("70.0"), "phone": "555-0100",
        "email": "testy@example.invalid", "escort_name": "Escort Person", "escort_phone": "555-0101",
        "diagnosis_code": "F43.12",
    }
    values.update(extra)
    return values


def make_patient(world: World, clinic: Clinic | None = None, **extra: Any) -> Any:
    from patients import services as patients

    clinic = clinic or world.a
    by = world.users[Role.FRONT_DESK] if clinic == world.a else world.b_users[Role.FRONT_DESK]
    return patients.register_patient(clinic=clinic, values=patient_values(**extra), by=by)


def make_eligible_patient(world: World, clinic: Clinic | None = None, **extra: Any) -> Any:
    """A patient with two failed adequate trials and a signed eligible screening."""
    from patients import services as patients

    clinic = clinic or world.a
    prescriber = world.users[Role.PRESCRIBER] if clinic == world.a else world.b_users[Role.PRESCRIBER]
    patient = make_patient(world, clinic, **extra)
    for name in ("sertraline", "CPT"):
        patients.add_prior_treatment(patient=patient, by=prescriber, values={
            "kind": "medication" if name == "sertraline" else "psychotherapy", "name": name,
            "weeks": 12, "adequate": True, "outcome": "none"})
    patients.screen_patient(patient=patient, contraindications=[], justifications={}, sign=True, by=prescriber)
    return patient


def make_protocol(world: World, clinic: Clinic | None = None, **values: Any) -> Any:
    from courses import services as courses

    clinic = clinic or world.a
    admin = world.users[Role.CLINIC_ADMIN] if clinic == world.a else world.b_users[Role.CLINIC_ADMIN]
    return courses.save_protocol(clinic=clinic, values={"name": "Standard 6 x 0.5 mg/kg", **values}, by=admin)


def make_course(world: World, clinic: Clinic | None = None, patient: Any = None, **extra: Any) -> Any:
    from courses import services as courses

    clinic = clinic or world.a
    prescriber = world.users[Role.PRESCRIBER] if clinic == world.a else world.b_users[Role.PRESCRIBER]
    patient = patient or make_eligible_patient(world, clinic, **extra)
    protocol = make_protocol(world, clinic)
    # Ordered a while ago, so tests can enter sessions that happened in the past hours or days.
    return courses.order_course(patient=patient, protocol=protocol, by=prescriber, at=datetime.now(UTC) - timedelta(days=365))


def make_chair(world: World, clinic: Clinic | None = None, name: str = "Chair 1") -> Any:
    from scheduling import services as scheduling

    clinic = clinic or world.a
    admin = world.users[Role.CLINIC_ADMIN] if clinic == world.a else world.b_users[Role.CLINIC_ADMIN]
    return scheduling.add_chair(clinic=clinic, name=name, by=admin)


def make_session(world: World, starts_at: datetime, clinic: Clinic | None = None, course: Any = None, chair: Any = None) -> Any:
    clinic = clinic or world.a
    course = course or make_course(world, clinic)
    chair = chair or make_chair(world, clinic)
    return book_at(world, course, chair, starts_at)


def book_at(world: World, course: Any, chair: Any, starts_at: datetime) -> Any:
    """Book as the clinic's nurse; a start already past is a prescriber's back-entry (as the services require)."""
    from scheduling import services as scheduling

    users = world.users if course.clinic == world.a else world.b_users
    if starts_at < datetime.now(UTC) - scheduling.BOOKING_GRACE:
        return scheduling.back_enter_session(course=course, chair=chair, starts_at=starts_at,
                                             reason="Entered afterwards by the test fixture", by=users[Role.PRESCRIBER])
    return scheduling.book_session(course=course, chair=chair, starts_at=starts_at, by=users[Role.NURSE])


def next_weekday_at(now: datetime, hour: int = 9) -> datetime:
    """A later morning on a weekday, for bookings that must lie in the future."""
    day = (now + timedelta(days=1)).replace(hour=hour, minute=0, second=0, microsecond=0)
    while day.weekday() > 4:
        day += timedelta(days=1)
    return day


@contextmanager
def demo_rolled_back(django_db_blocker: Any, *, seed: int = 7, small: bool = False) -> Iterator[Any]:
    """Build the demo clinic inside a transaction that is rolled back afterwards (module-scoped fixtures)."""
    from django.db import transaction

    from ketacare.demo import build_apps
    from ketacare.management.commands.demo import Command

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            ctx = Command()._context(seed, lambda message: None)
            ctx.small = small
            build_apps(ctx)
            yield ctx
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def api_caller(user: Any, clinic: Clinic) -> Any:
    """A JSON client of /api/ signed in with a fresh API token of `user` in `clinic`: call(method, path, body)."""
    import json

    from django.test import Client

    token = accounts.issue_token(user=user, clinic=clinic, name="test", by="test")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    def call(method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body, default=str)
        return client.generic(method, f"/api{path}", data=data or "", content_type="application/json")

    return call


def api_json(user: Any, clinic: Clinic, prefix: str) -> Any:
    """`api_caller` under /api{prefix} answering (status, JSON body or None when empty); a POST without a body sends {}."""
    call = api_caller(user, clinic)

    def json_call(method: str, path: str, body: Any = None) -> tuple[int, Any]:
        sent = None if method.lower() == "get" else (body or {})
        response = call(method.upper(), f"{prefix}{path}", sent)
        return response.status_code, (response.json() if response.content else None)

    return json_call
