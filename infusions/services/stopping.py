"""How an infusion ended: minutes infused (pauses excluded), early or not with the reason (clinical.chair_rules).

The dose given is the ledger's figure (ADR 0015: rate x infusing time with pauses excluded, or the pump's
volume the nurse confirms), the same one stored in `given_mg`; without it (a caller that has none) the
planned dose pro-rated by the minutes the pump ran stands in. This record is what the session shows beside
the plan (issue 10, ADR 0016).
"""

from datetime import datetime
from decimal import Decimal
from typing import Any

from clinical import session_flow as flow
from clinical.chair_rules import check_stop_complete, dose_given_mg, infused_minutes
from clinical.errors import ClinicalError
from clinical.ledger.session_amounts import GivenAmount
from toolkit.errors import ServiceError

from .. import policy
from ..models import InfusionSession, SessionEvent


def pause_spans(session: InfusionSession) -> list[tuple[datetime, datetime | None]]:
    """(paused at, resumed at or None) for each pause of the session, from its events."""
    spans: list[tuple[datetime, datetime | None]] = []
    for action, at in SessionEvent.objects.filter(session=session, action__in=("pause", "resume")).order_by("at", "pk") \
            .values_list("action", "at"):
        if action == "pause":
            spans.append((at, None))
        elif spans and spans[-1][1] is None:
            spans[-1] = (spans[-1][0], at)
    return spans


def running_minutes(session: InfusionSession, until: datetime) -> Decimal:
    """Minutes the pump has run from the start to `until`, pauses excluded."""
    if session.started_at is None:
        return Decimal(0)
    try:
        return infused_minutes(session.started_at, until, pause_spans(session))
    except ClinicalError as exc:
        raise ServiceError(str(exc), {"at": str(exc)}) from None


def planned_minutes(session: InfusionSession) -> Decimal:
    return Decimal(str((session.dose.get("inputs") or {}).get("duration_min") or 0))


GIVEN_BASIS = {"rate_time": "rate x infusing time (pauses excluded)", "pump_volume": "pump volume confirmed"}


def stop_record(session: InfusionSession, action: flow.Action, at: datetime, reason: str,
                given: GivenAmount | None = None) -> dict[str, Any]:
    """Check and describe the end of a running infusion; 'dose complete' before the planned time needs a reason.

    `given` is the ledger's amount (ADR 0015); when passed, its figure is the one recorded as given."""
    ran, planned, planned_mg = running_minutes(session, at), planned_minutes(session), session.total_mg or Decimal(0)
    if planned <= 0:
        raise ServiceError("The session has no planned infusion time; the dose given cannot be worked out.")
    try:
        if action is flow.Action.STOP_INFUSION:
            tolerance = Decimal(str(policy.value(session.clinic, "infusion_early_stop_tolerance_min")))
            found = check_stop_complete(planned_mg=planned_mg, planned_min=planned, infused_min=ran,
                                        reason=reason, tolerance_min=tolerance)
            early = found.early
        else:
            early = ran < planned  # stop early or transfer: the reason is the kernel's transition rule
        pro_rated = dose_given_mg(planned_mg, planned, ran)
    except ClinicalError as exc:
        raise ServiceError(f"{exc} Nothing was recorded.", {"reason": str(exc)}) from None
    if given is not None:
        given_mg, basis = str(given.mg), GIVEN_BASIS.get(given.source, given.source)
    else:
        given_mg, basis = str(pro_rated), "planned dose pro-rated by infusing time (pauses excluded)"
    return {"action": action.value, "infused_min": str(ran), "planned_min": str(planned), "early": early,
            "reason": reason if early else "", "planned_mg": str(planned_mg), "given_mg": given_mg,
            "given_basis": basis}
