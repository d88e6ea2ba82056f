"""Discharge (Aldrete or PADSS, escort, observation time), notes, the nurse's sign-off and the prescriber's co-sign."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import transaction

from accounts.actors import Actor
from accounts.permissions import Perm
from accounts.queries import require
from audit import services as audit
from clinical import session_flow as flow
from clinical.discharge import evaluate_discharge
from clinical.errors import ClinicalError
from toolkit.errors import ServiceError

from ..choices import SessionState
from ..models import InfusionSession
from ..policy import discharge_policy, discharge_score_kind
from .common import (
    check_allowed,
    locked,
    move,
    save_fields,
    text,
    when,
)

ENDED = (SessionState.DISCHARGED, SessionState.STOPPED_EARLY, SessionState.TRANSFERRED)


def _scores(item_scores: Mapping[str, Any]) -> dict[str, int]:
    parsed, errors = {}, {}
    for key, raw in item_scores.items():
        try:
            parsed[str(key)[:40]] = int(str(raw).strip())
        except ValueError:
            errors[str(key)[:40]] = "Score each item 0, 1 or 2."
    if errors:
        raise ServiceError("The discharge score is not complete; nothing was saved.", errors)
    return parsed


def discharge_patient(*, session: InfusionSession, item_scores: Mapping[str, Any], escort_confirmed: bool,
                      override_reason: str = "", at: datetime | None = None, by: Actor) -> InfusionSession:
    """Discharge when the kernel allows it: score at threshold, escort, observation time; else a prescriber overrides."""
    require(Perm.DISCHARGE, by, session.clinic, to="discharge patients")
    reason, moment = text(override_reason, "override_reason"), when(at)
    if reason:
        require(Perm.OVERRIDE_SAFETY_LIMITS, by, session.clinic, to="override the discharge criteria")
    scores = _scores(item_scores)
    with transaction.atomic():
        session = locked(session)
        check_allowed(session, flow.Action.DISCHARGE)
        if session.infusion_ended_at is None:
            raise ServiceError("The infusion end time is missing; discharge cannot be evaluated.")
        kind = discharge_score_kind(session.clinic)
        try:
            decision = evaluate_discharge(kind, scores, escort_confirmed=escort_confirmed is True,
                                          infusion_ended_at=session.infusion_ended_at, now=moment,
                                          policy=discharge_policy(session.clinic), override_reason=reason or None)
        except ClinicalError as exc:
            raise ServiceError(str(exc), {"scores": str(exc)}) from None
        if not decision.allowed:
            raise ServiceError("Discharge refused: " + " ".join(decision.reasons)
                               + " A prescriber may override with a written reason.", {"override_reason": "Needed now."})
        record = {"score_kind": kind.value, "items": scores, "total": decision.total_score, "ready_at": decision.ready_at,
                  "unmet": list(decision.reasons), "overridden": decision.overridden,
                  "override_reason": decision.override_reason or "", "escort_confirmed": escort_confirmed is True,
                  "observation_min": decision.policy.min_observation_min}
        move(session, flow.Action.DISCHARGE, at=moment, by=by, reason=decision.override_reason or "",
             discharged_at=moment, discharged_by=by, discharge=record,
             detail={"total": decision.total_score, "overridden": decision.overridden})
    return session


def add_note(*, session: InfusionSession, note: str, at: datetime | None = None, by: Actor) -> InfusionSession:
    """Append a dated note to the session record (until it is signed)."""
    require(Perm.WRITE_SESSION_NOTES, by, session.clinic, to="write session notes")
    note, moment = text(note, "note", required=True, limit=4000, label="The note"), when(at)
    with transaction.atomic():
        session = locked(session)
        if session.signed_at is not None:
            raise ServiceError("The session record is signed; add a note to the patient's chart instead.")
        line = f"[{moment:%Y-%m-%d %H:%M} UTC, {getattr(by, 'username', by)}] {note}"
        save_fields(session, notes=(session.notes + "\n" + line).strip())
        audit.record(action="session_note", by=by, clinic=session.clinic, patient=session.patient_id, obj=session)
    return session


def can_sign(session: InfusionSession) -> bool:
    """Whether the nurse's signature can be recorded now: the session has ended and is not signed (the Sign button)."""
    return session.state in ENDED and session.signed_at is None


def sign_session(*, session: InfusionSession, at: datetime | None = None, by: Actor) -> InfusionSession:
    """The nurse signs the session record once the session has ended."""
    require(Perm.SIGN_SESSION, by, session.clinic, to="sign session records")
    moment = when(at)
    with transaction.atomic():
        session = locked(session)
        if session.signed_at is not None:
            raise ServiceError("This session record is already signed.")
        if not can_sign(session):
            raise ServiceError("The record is signed once the session has ended (discharged, stopped early or transferred).")
        save_fields(session, signed_by=by, signed_at=moment)
        audit.record(action="session_sign", by=by, clinic=session.clinic, patient=session.patient_id, obj=session)
    return session


def cosign_session(*, session: InfusionSession, at: datetime | None = None, by: Actor) -> InfusionSession:
    """The prescriber co-signs a record the nurse has signed."""
    require(Perm.COSIGN_SESSION, by, session.clinic, to="co-sign session records")
    moment = when(at)
    with transaction.atomic():
        session = locked(session)
        if session.signed_at is None:
            raise ServiceError("The nurse signs the record first.")
        if session.cosigned_at is not None:
            raise ServiceError("This session record is already co-signed.")
        save_fields(session, cosigned_by=by, cosigned_at=moment)
        audit.record(action="session_cosign", by=by, clinic=session.clinic, patient=session.patient_id, obj=session)
    return session
