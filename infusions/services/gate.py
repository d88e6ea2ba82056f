"""The alert gate of the chair: an open suicide-risk or high alert blocks check-in and start until a prescriber reviews it.

Kept apart from the other start checks (a draw before start is another gate) so each stays one small function.
Rule: clinical.chair_rules.chair_blockers; why: ADR 0016.
"""

from typing import Any

from alerts.queries import chair_blocking_alerts, last_review
from toolkit.errors import ServiceError

from ..models import InfusionSession


def _line(alert: Any) -> str:
    review = last_review(alert)
    held = f" Held by {review.reviewed_by} on {review.reviewed_at:%Y-%m-%d %H:%M} UTC: {review.reason}" if review else ""
    return f"{alert.get_kind_display()} ({alert.get_level_display().lower()}): {alert.message}{held}"


def alert_blockers(session: InfusionSession) -> list[Any]:
    """The patient's alerts that block the chair now (shown at check-in, refused by the services), each with its
    last review (`held`: a prescriber's hold, or None)."""
    found = chair_blocking_alerts(session.clinic, session.patient_id)
    for alert in found:
        setattr(alert, "held", last_review(alert))  # noqa: B010 - shown with the alert, not stored
    return found


def require_alerts_reviewed(session: InfusionSession, what: str) -> None:
    """Refuse `what` (check-in, start) while an alert blocks the chair; nothing is written."""
    found = alert_blockers(session)
    if found:
        raise ServiceError(f"{what} is blocked until a prescriber reviews the patient's open alert"
                           f"{'s' if len(found) > 1 else ''} and records the decision: "
                           + " ".join(_line(a) for a in found), {"alerts": "A prescriber's review is needed first."})
