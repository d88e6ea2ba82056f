"""What interop adds to the session screen: monitor messages held on the session, to accept or reject (ADR 0014)."""

from typing import Any

from accounts.access import ClinicRequest, can
from accounts.permissions import Perm
from infusions.forms import ReasonForm
from toolkit.dashboard import Panel

from .hl7.quarantine import held_messages


def panels(request: ClinicRequest, session: Any) -> list[Panel]:
    held = held_messages(session)
    if not held:
        return []
    return [Panel("interop/_held_readings.html", 10, {
        "session": session, "held": held, "may_decide": can(request, Perm.RECORD_VITALS) and session.in_progress,
        "reason_form": ReasonForm()})]
