"""Start, pause, resume and stop the infusion; stop early or transfer (kernel: clinical.session_flow)."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import transaction

from accounts.actors import Actor
from accounts.permissions import Perm
from accounts.queries import require
from audit import services as audit
from clinical import session_flow as flow
from clinical.vitals import AlertLevel, Phase, Reading, evaluate_reading
from toolkit.errors import ServiceError

from ..choices import SessionState
from ..models import InfusionSession, VitalSign
from .common import check_allowed, locked, move, text, thresholds_of, when
from .gate import require_alerts_reviewed
from .ledger_gate import check_drawn, record_given, work_out_given
from .stopping import stop_record


def _latest_reading(session: InfusionSession) -> Reading | None:
    """The latest value of each measure (the BP pair from one row), or None without any reading."""
    rows = VitalSign.objects.filter(session=session).order_by("-measured_at", "-pk")
    values: dict[str, Any] = {}
    for row in rows[:200]:
        if "systolic_mmhg" not in values and row.systolic_mmhg is not None:
            values |= {"systolic_mmhg": row.systolic_mmhg, "diastolic_mmhg": row.diastolic_mmhg}
        for name in ("heart_rate_bpm", "spo2_pct", "resp_rate_per_min"):
            if name not in values and getattr(row, name) is not None:
                values[name] = getattr(row, name)
    return Reading(**values) if values else None


def do_not_start_findings(session: InfusionSession) -> list[str]:
    """Messages of the latest reading's do-not-start findings (CLINICAL.md section 3); empty when clear."""
    reading = _latest_reading(session)
    if reading is None:
        return ["No vital signs are recorded before the start."]
    found = evaluate_reading(reading, thresholds_of(session), Phase.PRE_START)
    return [f.message for f in found if f.level is AlertLevel.DO_NOT_START]


def start(*, session: InfusionSession, override_reason: str = "", at: datetime | None = None, by: Actor) -> InfusionSession:
    """Start the infusion once the dose is verified and the latest reading allows it (or a prescriber overrides)."""
    require(Perm.CONTROL_INFUSION, by, session.clinic, to="start infusions")
    reason, moment = text(override_reason, "override_reason"), when(at)
    with transaction.atomic():
        session = locked(session)
        require_alerts_reviewed(session, "The start")
        blockers = do_not_start_findings(session) if session.state == SessionState.DOSE_VERIFIED else []
        if blockers and not reason:
            raise ServiceError("Do not start: " + " ".join(blockers) + " Record a new reading, or a prescriber may "
                               "override with a reason.", {"override_reason": "Required to start now."})
        if blockers:
            require(Perm.OVERRIDE_SAFETY_LIMITS, by, session.clinic, to="override a do-not-start reading")
        no_draw = check_drawn(session, reason=reason, at=moment, by=by) if session.state == SessionState.DOSE_VERIFIED else []
        detail = {**({"override": blockers} if blockers else {}), **({"no_draw": no_draw} if no_draw else {})}
        move(session, flow.Action.START, at=moment, by=by, reason=reason if blockers or no_draw else "", started_at=moment,
             detail=detail or None)
    return session


def pause(*, session: InfusionSession, reason: str, at: datetime | None = None, by: Actor) -> InfusionSession:
    """Pause the running infusion, with the reason."""
    return _simple(session, flow.Action.PAUSE, reason=reason, at=at, by=by, to="pause infusions")


def resume(*, session: InfusionSession, at: datetime | None = None, by: Actor) -> InfusionSession:
    """Resume a paused infusion."""
    return _simple(session, flow.Action.RESUME, reason="", at=at, by=by, to="resume infusions")


def stop_infusion(*, session: InfusionSession, reason: str = "", at: datetime | None = None, pump_volume_ml: Any = None,
                  by: Actor) -> InfusionSession:
    """End the infusion as 'dose complete'; the patient moves to recovery (observation starts now).

    What was given is recorded (rate x infusing time, or the pump's volume) with its ledger administration
    (ADR 0015). Before the planned infusion time (less the clinic's tolerance) this is an early stop: it
    needs a reason, and the stop record keeps it with the minutes infused (clinical.chair_rules; ADR 0016).
    """
    return _simple(session, flow.Action.STOP_INFUSION, reason=reason, at=at, by=by, to="stop infusions", ends=True,
                   pump_volume_ml=pump_volume_ml)


def stop_early(*, session: InfusionSession, reason: str, at: datetime | None = None, pump_volume_ml: Any = None,
               by: Actor) -> InfusionSession:
    """Stop before the dose is complete; after any drug the patient still recovers and is discharged."""
    return _simple(session, flow.Action.STOP_EARLY, reason=reason, at=at, by=by, to="stop infusions", ends=True,
                   pump_volume_ml=pump_volume_ml)


def transfer(*, session: InfusionSession, reason: str, at: datetime | None = None, by: Actor) -> InfusionSession:
    """Transfer the patient to emergency care (ends the session)."""
    return _simple(session, flow.Action.TRANSFER, reason=reason, at=at, by=by, to="transfer patients", ends=True)


def _simple(session: InfusionSession, action: flow.Action, *, reason: str, at: datetime | None, by: Actor, to: str,
            ends: bool = False, pump_volume_ml: Any = None) -> InfusionSession:
    require(Perm.CONTROL_INFUSION, by, session.clinic, to=to)
    reason, moment = text(reason, "reason"), when(at)
    with transaction.atomic():
        session = locked(session)
        running = session.state in (SessionState.INFUSING, SessionState.PAUSED)  # read under the lock
        fields: dict[str, Any] = {}
        detail: dict[str, Any] | None = None
        given = None
        if ends and running:
            check_allowed(session, action)  # the kernel's refusal comes before the stop record's
            given = work_out_given(session, ended_at=moment, pump_volume_ml=pump_volume_ml)  # checked before any write
            stop = stop_record(session, action, moment, reason, given=given)
            fields, detail = {"infusion_ended_at": moment, "infusion_stop": stop}, {"stop": stop}
            if action is flow.Action.STOP_INFUSION and not stop["early"]:
                reason = ""  # on time: nothing to explain
        move(session, action, at=moment, by=by, reason=reason, detail=detail, **fields)
        if given is not None:
            recorded = record_given(session, given, at=moment, by=by)
            audit.record(action="session_given", by=by, clinic=session.clinic, patient=session.patient_id, obj=session,
                         detail={"planned_mg": str(session.total_mg), **recorded})
    return session


ACTIONS: dict[str, Callable[..., InfusionSession]] = {"start": start, "pause": pause, "resume": resume, "stop_infusion": stop_infusion,
           "stop_early": stop_early, "transfer": transfer}


def apply_action(*, session: InfusionSession, action: str, reason: str = "", at: datetime | None = None,
                 pump_volume_ml: Any = None, by: Actor) -> InfusionSession:
    """Run one of the chairside transitions by name (the web and API buttons)."""
    service = ACTIONS.get(action)
    if service is None:
        raise ServiceError(f"Unknown action {action[:40]!r}.", {"action": "Unknown."})
    if action == "start":
        return start(session=session, override_reason=reason, at=at, by=by)
    if action == "stop_infusion":
        return stop_infusion(session=session, reason=reason, at=at, pump_volume_ml=pump_volume_ml, by=by)
    if action == "stop_early":
        return stop_early(session=session, reason=reason, at=at, pump_volume_ml=pump_volume_ml, by=by)
    if action in ("pause", "transfer"):
        return service(session=session, reason=reason, at=at, by=by)
    return service(session=session, at=at, by=by)
