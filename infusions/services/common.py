"""Helpers every infusions service shares: times, locking, the kernel's transitions, inputs."""

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from accounts.actors import Actor, user_of
from audit import services as audit
from clinical import session_flow as flow
from clinical.errors import ClinicalError
from clinical.thresholds import thresholds_from_protocol
from clinical.vitals import MonitoringSchedule, Thresholds
from courses.defaults import snapshot_value
from toolkit import readmodels
from toolkit.errors import ServiceError
from toolkit.locking import for_update

from ..choices import NOT_HELD
from ..models import InfusionSession, SessionEvent
from ..signals import session_state_changed

CLOCK_SKEW = timedelta(minutes=2)  # a step may be timed this far ahead of the server clock


def now() -> datetime:
    return datetime.now(UTC)


def when(at: datetime | None) -> datetime:
    """Return the time of a step: `at` (back-filled steps) or now; never naive, never in the future."""
    if at is None:
        return now()
    if at.tzinfo is None or at.utcoffset() is None:
        raise ServiceError("The time needs a time zone.", {"at": "Naive time."})
    if at > now() + CLOCK_SKEW:
        raise ServiceError("A step cannot be recorded in the future.", {"at": "In the future."})
    return at.astimezone(UTC)  # an instant: arithmetic on it never follows the local wall clock


RELATIONS = ("course", "patient", "chair", "clinic")


def locked(session: InfusionSession) -> InfusionSession:
    """Re-read the session under its row lock, never its clinic's (ketacare/locking.py); loaded relations are kept."""
    cached = {name: session._state.fields_cache.get(name) for name in RELATIONS}
    if all(cached.values()):
        fresh = for_update(InfusionSession.objects).get(pk=session.pk)
        for name, row in cached.items():
            if row is not None and getattr(fresh, f"{name}_id") == row.pk:
                fresh._state.fields_cache[name] = row
        return fresh
    return for_update(InfusionSession.objects.select_related(*RELATIONS)).get(pk=session.pk)  # the session row only


def save_fields(session: InfusionSession, **fields: Any) -> InfusionSession:
    """Write fields of a locked session and keep the object in step (no re-read)."""
    InfusionSession.objects.filter(pk=session.pk).update(**fields)
    for name, value in fields.items():
        setattr(session, name, value)
    if readmodels.SESSION_FIELDS & fields.keys():
        readmodels.course_changed(session.course_id, sender=save_fields)
    return session


def kernel_state(session: InfusionSession) -> flow.SessionState:
    if session.state in NOT_HELD:
        raise ServiceError(f"This session was {session.get_state_display().lower()}; nothing more can be recorded on it.")
    return flow.SessionState(session.state)


def check_allowed(session: InfusionSession, action: flow.Action) -> None:
    """Refuse, with the kernel's reason, an action the session's state does not allow (writes nothing)."""
    try:
        flow.transition(kernel_state(session), action, reason="(checked only)")
    except ClinicalError as exc:
        raise ServiceError(str(exc)) from None


def last_step_at(session: InfusionSession) -> datetime | None:
    return SessionEvent.objects.filter(session=session).order_by("-at").values_list("at", flat=True).first()


def move(session: InfusionSession, action: flow.Action, *, at: datetime, by: Actor, reason: str = "",
         detail: Mapping[str, Any] | None = None, **fields: Any) -> InfusionSession:
    """Apply one kernel transition to a locked session: new state, fields, event row and audit event."""
    before = kernel_state(session)
    try:
        after = flow.transition(before, action, reason=reason or None)
    except ClinicalError as exc:
        raise ServiceError(str(exc), {"reason": str(exc)} if "reason" in str(exc) else {}) from None
    previous = last_step_at(session)
    if previous is not None and at < previous:
        raise ServiceError(f"The time given is before the previous step ({previous:%Y-%m-%d %H:%M} UTC).", {"at": "Too early."})
    fields["state"] = after.value
    save_fields(session, **fields)
    SessionEvent.objects.create(clinic=session.clinic, session=session, action=action.value, from_state=before.value,
                                to_state=after.value, reason=reason.strip(), at=at, by=user_of(by))
    audit.record(action=f"session_{action.value}", by=by, clinic=session.clinic, patient=session.patient_id, obj=session,
                 detail={"from": before.value, "to": after.value, "at": at.isoformat(), "reason": reason.strip(), **(detail or {})})
    ids = {"session_id": session.pk, "clinic_id": session.clinic_id}
    transaction.on_commit(lambda: session_state_changed.send(sender=InfusionSession, **ids))
    return session


def text(value: Any, name: str, *, limit: int = 4000, required: bool = False, label: str = "") -> str:
    """Return stripped text, refusing what is too long (or missing when required)."""
    cleaned = str(value or "").strip()
    if required and not cleaned:
        raise ServiceError(f"{label or name.replace('_', ' ').capitalize()} is required.", {name: "Required."})
    if len(cleaned) > limit:
        raise ServiceError(f"{label or name} is too long ({limit} characters at most).", {name: "Too long."})
    return cleaned


def decimal(value: Any, name: str, *, places: int, label: str) -> Decimal:
    """Parse a typed number, refusing text, non-finite values and more decimals than stored."""
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ServiceError(f"{label} must be a number.", {name: "Not a number."}) from None
    if not number.is_finite():
        raise ServiceError(f"{label} must be a number.", {name: "Not a number."})
    try:
        exact = number.quantize(Decimal(1).scaleb(-places))
    except InvalidOperation:
        raise ServiceError(f"{label} is out of range.", {name: "Out of range."}) from None
    if number != exact:
        raise ServiceError(f"{label} has more decimals than recorded ({places} at most).", {name: "Too many decimals."})
    return number


def thresholds_of(session: InfusionSession) -> Thresholds:
    """The vital-sign thresholds of the course's protocol (as ordered)."""
    try:
        return thresholds_from_protocol(session.course.protocol_snapshot.get("thresholds") or {})
    except ClinicalError as exc:
        raise ServiceError(f"The course's protocol thresholds are not usable: {exc}") from None


def schedule_of(session: InfusionSession) -> MonitoringSchedule:
    """The BP schedule of the course's protocol (as ordered)."""
    snap = session.course.protocol_snapshot
    return MonitoringSchedule(bp_every_min_infusing=int(snapshot_value(snap, "bp_every_min_infusing")),
                              bp_every_min_recovering=int(snapshot_value(snap, "bp_every_min_recovering")))
