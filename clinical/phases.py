"""Which vital-sign phase (CLINICAL.md section 3) a session or a reading is in.

* ``phase_of``: the phase of a session state. Decision made here: a paused
  infusion is still the infusing phase (the drug has run and BP stays due
  every 10 min); a session that has ended has no phase.
* ``phase_at``: places a reading in time instead: before the start, during
  the infusion, or after it, so a late reading (a monitor's resend) is judged
  by the rules of the phase it was measured in.
"""

from __future__ import annotations

from datetime import datetime

from clinical.instants import utc, utc_or_none
from clinical.session_flow import SessionState
from clinical.vitals import Phase

_PHASES = {
    SessionState.SCHEDULED: Phase.PRE_START,
    SessionState.CHECKED_IN: Phase.PRE_START,
    SessionState.DOSE_VERIFIED: Phase.PRE_START,
    SessionState.INFUSING: Phase.INFUSING,
    SessionState.PAUSED: Phase.INFUSING,
    SessionState.RECOVERING: Phase.RECOVERING,
}


def phase_of(state: SessionState) -> Phase | None:
    """Return the monitoring phase of a session state, or None once the session has ended."""
    return _PHASES.get(state)


def phase_at(moment: datetime, *, started_at: datetime | None, infusion_ended_at: datetime | None) -> Phase:
    """Return the phase a reading measured at ``moment`` belongs to (CLINICAL.md section 3)."""
    moment, started_at, infusion_ended_at = utc(moment), utc_or_none(started_at), utc_or_none(infusion_ended_at)
    if started_at is None or moment < started_at:
        return Phase.PRE_START
    if infusion_ended_at is None or moment < infusion_ended_at:
        return Phase.INFUSING
    return Phase.RECOVERING
