"""Every write of the infusions app, one module per part of the session; callers import from here.

Each service is keyword-only, names its actor last (`by`), runs in one transaction and
writes its audit event in it. Chairside steps take `at` (default now) so the demo can
back-fill past sessions.
"""

from .after import record_adverse_event, record_cadss, record_side_effects
from .checkin import check_in, due_assessments, pregnancy_test_required
from .closing import add_note, can_sign, cosign_session, discharge_patient, sign_session
from .common import now
from .dose import override_dose, stored_plan, verify_dose
from .flow import (
    ACTIONS,
    apply_action,
    do_not_start_findings,
    pause,
    resume,
    start,
    stop_early,
    stop_infusion,
    transfer,
)
from .vitals import raise_overdue_alerts, record_vitals, record_vitals_batch

__all__ = [
    "ACTIONS", "add_note", "apply_action", "can_sign", "check_in", "cosign_session", "discharge_patient",
    "do_not_start_findings", "due_assessments", "now", "override_dose",
    "pause", "pregnancy_test_required", "raise_overdue_alerts", "record_adverse_event", "record_cadss",
    "record_side_effects", "record_vitals", "record_vitals_batch", "resume", "sign_session", "start",
    "stop_early", "stop_infusion", "stored_plan", "transfer", "verify_dose",
]
