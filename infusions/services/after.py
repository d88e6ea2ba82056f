"""After the infusion: CADSS, the side-effect checklist, adverse events (a serious one notifies the prescriber)."""

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse

from accounts.permissions import Perm
from accounts.queries import require
from audit import services as audit
from clinical.errors import ClinicalError
from clinical.instruments import score
from ketacare.errors import ServiceError

from .. import alerts
from ..choices import (
    IN_PROGRESS,
    AdverseAction,
    AdverseOutcome,
    AlertKind,
    AlertLevel,
    Relatedness,
    SessionState,
    Severity,
    SideEffect,
)
from ..models import AdverseEvent, InfusionSession
from .common import kernel_state, locked, save_fields, text, when

log = logging.getLogger("ketacare.infusions")
AFTER_INFUSION = (SessionState.RECOVERING, SessionState.DISCHARGED)
AE_STATES = (*IN_PROGRESS, SessionState.DISCHARGED, SessionState.STOPPED_EARLY, SessionState.TRANSFERRED)


def _not_signed(session: InfusionSession) -> None:
    if session.signed_at is not None:
        raise ServiceError("The session record is signed; it can no longer be changed.")


def record_cadss(*, session: InfusionSession, answers: Sequence[int | None], at: datetime | None = None,
                 by: Any) -> InfusionSession:
    """Score the CADSS after the infusion with the kernel (CLINICAL.md section 3) and keep it with the session."""
    require(Perm.RECORD_SIDE_EFFECTS, by, session.clinic, to="record the CADSS")
    moment = when(at)
    if not any(a is not None for a in answers):
        raise ServiceError("Answer the CADSS items before saving.", {"answers": "No answers."})
    try:
        result = score("cadss", list(answers))
    except ClinicalError as exc:
        raise ServiceError(f"The CADSS answers are not valid: {exc}", {"answers": str(exc)}) from None
    with transaction.atomic():
        session = locked(session)
        _not_signed(session)
        if session.state not in AFTER_INFUSION:
            raise ServiceError("The CADSS is recorded after the infusion has ended.")
        cadss = {"answers": list(result.answers), "total": result.total, "complete": result.complete,
                 "at": moment.isoformat(), "by": str(by)}
        save_fields(session, cadss=cadss)
        audit.record(action="session_cadss", by=by, clinic=session.clinic, patient=session.patient_id, obj=session,
                     detail={"total": result.total, "complete": result.complete})
    return session


def record_side_effects(*, session: InfusionSession, items: Sequence[str], note: str = "", at: datetime | None = None,
                        by: Any) -> InfusionSession:
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
                         by: Any) -> AdverseEvent:
    """Record an adverse event; a serious one raises an alert and emails the course's prescriber after commit."""
    require(Perm.RECORD_ADVERSE_EVENTS, by, session.clinic, to="record adverse events")
    errors: dict[str, str] = {}
    description = text(values.get("description"), "description", limit=300, required=True, label="The description")
    fields = {name: _choice(values, name, choices, errors) for name, choices in (
        ("severity", Severity), ("relatedness", Relatedness), ("action_taken", AdverseAction), ("outcome", AdverseOutcome))}
    serious = values.get("serious")
    if not isinstance(serious, bool):
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
            alerts.raise_alert(clinic=session.clinic, patient=session.patient, session=session,
                               kind=AlertKind.ADVERSE_EVENT, level=AlertLevel.CRITICAL, rule="serious_adverse_event",
                               message=f"Serious adverse event: {description}", by=by, source=event, at=onset)
            transaction.on_commit(lambda: notify_prescriber(event))
    return event


def notify_prescriber(event: AdverseEvent) -> bool:
    """Email the course's prescriber that a serious adverse event was recorded (no patient identifiers in the mail)."""
    event = AdverseEvent.objects.select_related("session__course__ordered_by", "clinic").get(pk=event.pk)
    prescriber = event.session.course.ordered_by
    if not prescriber.email:
        log.warning("serious adverse event %s: prescriber %s has no email address", event.pk, prescriber.pk)
        return False
    url = settings.KETACARE_BASE_URL.rstrip("/") + reverse("infusions:session", kwargs={"session_id": event.session_id})
    body = (f"A serious adverse event was recorded in infusion session {event.session_id} at "
            f"{event.clinic.name}.\n\nOpen the session in KetaCare to review it: {url}\n")
    try:
        send_mail("KetaCare: serious adverse event", body, None, [prescriber.email])
    except Exception:  # delivery failure must not lose the event; the alert row stays open
        log.exception("could not email the prescriber about adverse event %s", event.pk)
        return False
    return True
