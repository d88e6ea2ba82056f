"""Draw before start, and what the infusion gave at its stop (kernel: clinical.ledger.session_amounts; ADR 0015)."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from accounts.actors import Actor
from accounts.permissions import Perm
from accounts.queries import require
from audit import services as audit
from clinical.errors import ClinicalError
from clinical.ledger.session_amounts import GivenAmount, draw_shortfall, given_by_pump_volume, given_by_rate
from toolkit.errors import ServiceError

from .. import ledger_link
from ..models import InfusionSession
from .common import decimal, save_fields
from .stopping import pause_spans


def draw_findings(session: InfusionSession) -> list[str]:
    """Why the draws for this session do not cover its verified dose; empty when they do."""
    if session.total_mg is None:
        return []  # no dose yet: the kernel's transition refuses the start with its own reason
    drawn, tolerance = ledger_link.drawn_mg(session)
    try:
        found = draw_shortfall(drawn_mg=drawn, planned_mg=Decimal(session.total_mg), tolerance_mg=tolerance)
    except ClinicalError as exc:
        raise ServiceError(str(exc)) from None
    return [found] if found else []


def check_drawn(session: InfusionSession, *, reason: str, at: datetime, by: Actor) -> list[str]:
    """Refuse a start without enough drawn, unless a prescriber gives a reason (audited as an exception)."""
    findings = draw_findings(session)
    if not findings:
        return []
    if not reason:
        raise ServiceError("Cannot start: " + " ".join(findings) + " Draw it from the safe for this session "
                           "(Ledger → Draw), or a prescriber may record an exception with a reason.",
                           {"override_reason": "Draw the dose first, or a prescriber's reason for starting without it."})
    require(Perm.OVERRIDE_SAFETY_LIMITS, by, session.clinic, to="start an infusion without ketamine drawn for it")
    audit.record(action="session_start_without_draw", by=by, clinic=session.clinic, patient=session.patient_id,
                 obj=session, detail={"reason": reason, "findings": findings, "at": at.isoformat()})
    return findings


def work_out_given(session: InfusionSession, *, ended_at: datetime, pump_volume_ml: Any = None) -> GivenAmount:
    """The kernel's given amount: the pump's volume when the nurse confirms one, else rate x infusing time."""
    if session.total_mg is None or session.rate_ml_per_h is None or session.started_at is None:
        raise ServiceError("The session has no verified dose and start to work out what was given.")
    bag = Decimal(str(session.dose["inputs"]["bag_volume_ml"]))
    try:
        if pump_volume_ml not in (None, ""):
            volume = decimal(pump_volume_ml, "pump_volume_ml", places=2, label="The pump's volume infused")
            return given_by_pump_volume(pump_volume_ml=volume, total_mg=Decimal(session.total_mg), bag_volume_ml=bag)
        return given_by_rate(rate_ml_per_h=Decimal(session.rate_ml_per_h), total_mg=Decimal(session.total_mg),
                             bag_volume_ml=bag, started_at=session.started_at, ended_at=ended_at,
                             pauses=pause_spans(session))
    except ClinicalError as exc:
        raise ServiceError(str(exc), {"pump_volume_ml": str(exc)} if pump_volume_ml not in (None, "") else {}) from None


def record_given(session: InfusionSession, given: GivenAmount, *, at: datetime, by: Actor) -> dict[str, Any]:
    """Store what was given beside what was planned, and have the ledger write its administration at `at`."""
    save_fields(session, given_mg=given.mg, given_volume_ml=given.volume_ml, given_source=given.source)
    ledger = ledger_link.record_given(session=session, mg=given.mg, at=at, by=by)
    return {"given_mg": str(given.mg), "given_volume_ml": str(given.volume_ml), "given_source": given.source,
            "given_steps": list(given.steps), "ledger": ledger}
