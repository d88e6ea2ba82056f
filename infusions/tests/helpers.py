"""Builders for infusions tests: sessions walked through the services to a given state."""

from datetime import UTC, datetime, timedelta
from typing import Any

from accounts import services as accounts
from accounts.choices import Role
from infusions import services
from ketacare.testing import PASSWORD, make_session
from ketacare.testing_ledger import draw_for

BASELINE = {"systolic_mmhg": 128, "diastolic_mmhg": 82, "heart_rate_bpm": 74, "spo2_pct": "98", "resp_rate_per_min": 14}


def t0(hours_ago: float = 4) -> datetime:
    """A past start time, whole minutes (services refuse future steps)."""
    return (datetime.now(UTC) - timedelta(hours=hours_ago)).replace(second=0, microsecond=0)


def second_nurse(world: Any, clinic: Any = None) -> Any:
    clinic = clinic or world.a
    name = f"{clinic.slug}_nurse2"
    from accounts.models import User

    found = User.objects.filter(username=name).first()
    return found or accounts.create_staff(clinic=clinic, username=name, password=PASSWORD, role=Role.NURSE,
                                          first_name="Second", last_name="Nurse", by="test")


def checkin_values(**extra: Any) -> dict[str, Any]:
    values = {"weight_kg": "70.0", "identity_confirmed": True, "consent_current": True, "escort_name": "Pat Escort",
              "escort_phone": "555-0101", "baseline": dict(BASELINE), "pregnancy_test": "negative"}
    values.update(extra)
    return values


def booked(world: Any, start: datetime | None = None, **kw: Any) -> Any:
    return make_session(world, start or t0(), **kw)


def waive_all(session: Any, at: datetime | None = None) -> dict[str, str]:
    """Waivers for every assessment due before the session (tests give no questionnaires)."""
    return {item.key: "Given on paper; entered later" for item in services.due_assessments(session, at)}


def check_in(world: Any, session: Any, at: datetime | None = None, **extra: Any) -> Any:
    values = checkin_values(**extra)
    values.setdefault("waivers", waive_all(session, at))
    return services.check_in(session=session, at=at, by=world.users[Role.NURSE], **values)


def checked_in(world: Any, start: datetime | None = None, **extra: Any) -> Any:
    start = start or t0()
    return check_in(world, booked(world, start), at=start, **extra)


def verified(world: Any, start: datetime | None = None) -> Any:
    start = start or t0()
    session = checked_in(world, start)
    return verify(world, session, at=start + timedelta(minutes=5))


def verify(world: Any, session: Any, total_mg: Any = None, rate_ml_per_h: Any = None, **kw: Any) -> Any:
    """The second nurse proves who they are with their own password at the first nurse's screen (ADR 0016)."""
    checker = kw.pop("verifier", None) or second_nurse(world)
    return services.verify_dose(session=session, total_mg=session.total_mg if total_mg is None else total_mg,
                                rate_ml_per_h=session.rate_ml_per_h if rate_ml_per_h is None else rate_ml_per_h,
                                verifier=checker.username, verifier_password=kw.pop("verifier_password", PASSWORD),
                                by=kw.pop("by", world.users[Role.NURSE]), **kw)


def drawn(world: Any, start: datetime | None = None) -> Any:
    """A verified session with its dose drawn from the safe (a start needs it: ADR 0015)."""
    start = start or t0()
    session = verified(world, start)
    draw_for(session, by=world.users[Role.NURSE], at=start + timedelta(minutes=6))
    return session


def infusing(world: Any, start: datetime | None = None) -> Any:
    start = start or t0()
    session = drawn(world, start)
    return services.start(session=session, at=start + timedelta(minutes=10), by=world.users[Role.NURSE])


def recovering(world: Any, start: datetime | None = None) -> Any:
    start = start or t0()
    session = infusing(world, start)
    return services.stop_infusion(session=session, at=start + timedelta(minutes=50), by=world.users[Role.NURSE])


ALDRETE_READY = {"activity": 2, "respiration": 2, "circulation": 2, "consciousness": 2, "spo2": 2}
