"""After the infusion: CADSS, the side-effect checklist, adverse events (a serious one notifies the prescriber)."""

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.db import transaction

from accounts.actors import Actor
from accounts.models import User
from accounts.permissions import Perm
from accounts.queries import require
from alerts import services as alerts
from audit import services as audit
from clinical.chair_rules import check_cadss_completion
from clinical.errors import ClinicalError
from clinical.instruments import get_instrument, score
from toolkit.errors import ServiceError

from ..choices import (
    IN_PROGRESS,
    AdverseAction,
    AdverseOutcome,
    Relatedness,
    SessionState,
    Severity,
    SideEffect,
)
from ..models import AdverseEvent, InfusionSession
from .common import kernel_state, locked, save_fields, text, when

AFTER_INFUSION = (SessionState.RECOVERING, SessionState.DISCHARGED)
AE_STATES = (*IN_PROGRESS, SessionState.DISCHARGED, SessionState.STOPPED_EARLY, SessionState.TRANSFERRED)


def _not_signed(session: InfusionSession) -> None:
    if session.signed_at is not None:
        raise ServiceError("The session record is signed; it can no longer be changed.")


def record_cadss(*, session: InfusionSession, answers: Sequence[int | None], incomplete_reason: str = "",
                 at: datetime | None = None, by: Actor) -> InfusionSession:
    """Score the CADSS after the infusion with the kernel (CLINICAL.md section 3) and keep it with the session.

    All 23 items, or an explicit "incomplete" with a reason (clinical.chair_rules.check_cadss_completion).
    """
    require(Perm.RECORD_SIDE_EFFECTS, by, session.clinic, to="record the CADSS")
    moment = when(at)
    if not any(a is not None for a in answers):
        raise ServiceError("Answer the CADSS items before saving.", {"answers": "No answers."})
    try:
        result = score("cadss", list(answers))
    except ClinicalError as exc:
        raise ServiceError(f"The CADSS answers are not valid: {exc}", {"answers": str(exc)}) from None
    try:
        why = check_cadss_completion(list(answers), len(get_instrument("cadss").items),
                                     text(incomplete_reason, "incomplete_reason", limit=500))
    except ClinicalError as exc:
        raise ServiceError(f"{exc} Answer every item, or record the CADSS as incomplete with the reason; nothing was "
                           "saved.", {"incomplete_reason": str(exc)}) from None
    with transaction.atomic():
        session = locked(session)
        _not_signed(session)
        if session.state not in AFTER_INFUSION:
            raise ServiceError("The CADSS is recorded after the infusion has ended.")
        cadss = {"answers": list(result.answers), "total": result.total, "complete": result.complete,
                 "incomplete_reason": why, "at": moment.isoformat(), "by": str(by)}
        save_fields(session, cadss=cadss)
        audit.record(action="session_cadss", by=by, clinic=session.clinic, patient=session.patient_id, obj=session,
                     detail={"total": result.total, "complete": result.complete, "incomplete_reason": why})
    return session


def record_side_effects(*, session: InfusionSession, items: Sequence[str], note: str = "", at: datetime | None = None,
                        by: Actor) -> InfusionSession:
    """Keep the side-effect checklist (an empty list means none were observed)."""
    require(Perm.RECORD_SIDE_EFFECTS, by, session.clinic, to="record side effects")
    unknown = sorted(set(items) - set(SideEffect.values))
    if unknown:
        raise ServiceError(f"Unknown side effects: {', '.join(u[:40] for u in unknown)}.", {"items": "Unknown item."})
    note, moment = text(note, "note", limit=2000), when(at)
    if SideEffect.OTHER in items and not note:
        raise ServiceError("Describe the other side effect in the note.", {"note": "Required with 'Other'."})
    with transaction.atomic():
        session = locked(session)
        _not_signed(session)
        if session.started_at is None:
            raise ServiceError("Side effects are recorded once the infusion has started.")
        effects = {"items": sorted(set(items)), "note": note, "at": moment.isoformat(), "by": str(by)}
        save_fields(session, side_effects=effects)
        audit.record(action="session_side_effects", by=by, clinic=session.clinic, patient=session.patient_id,
                     obj=session, detail={"items": effects["items"]})
    return session


def _choice(values: Mapping[str, Any], name: str, choices: Any, errors: dict[str, str]) -> str:
    value = str(values.get(name) or "")
    if value not in choices.values:
        errors[name] = "Choose one of the listed values."
    return value


def record_adverse_event(*, session: InfusionSession, values: Mapping[str, Any], at: datetime | None = None,
                         by: User) -> AdverseEvent:
    """Record an adverse event; a serious one raises an alert whose outbox emails the course's prescriber."""
    require(Perm.RECORD_ADVERSE_EVENTS, by, session.clinic, to="record adverse events")
    errors: dict[str, str] = {}
    description = text(values.get("description"), "description", limit=300, required=True, label="The description")
    fields = {name: _choice(values, name, choices, errors) for name, choices in (
        ("severity", Severity), ("relatedness", Relatedness), ("action_taken", AdverseAction), ("outcome", AdverseOutcome))}
    serious = values.get("serious")
    if not isinstance(serious, bool):
        serious = False
        errors["serious"] = "Say whether the event is serious (yes or no)."
    if errors:
        raise ServiceError("The adverse event is not complete; nothing was saved.", errors)
    onset = when(values.get("onset_at") or at)
    with transaction.atomic():
        session = locked(session)
        kernel_state(session)
        if session.state not in AE_STATES:
            raise ServiceError("Adverse events are recorded from check-in on.")
        event = AdverseEvent.objects.create(clinic=session.clinic, session=session, patient=session.patient,
                                            onset_at=onset, description=description, serious=serious,
                                            recorded_by=by, recorded_at=when(at), **fields)
        audit.record(action="adverse_event_record", by=by, clinic=session.clinic, patient=session.patient_id, obj=event,
                     detail={"serious": serious, "severity": fields["severity"]})
        if serious:
            # The alert queues the email to the course's prescriber in this transaction; it is sent after commit.
            alerts.raise_serious_adverse_event(event=event, prescriber=session.course.ordered_by, by=by)
    return event
