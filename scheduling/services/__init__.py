"""Every write of the scheduling app: chairs and bookings (the booked row is an infusions session, ADR 0008),
nurse shifts, patient availability, the waiting list and course plans.

Each service is keyword-only, names its actor last (`by`), runs in one transaction with its audit
event, and locks chair rows (in primary-key order) before the course or the session.
"""

from .booking import BOOKING_ROLES, LIVE_STATES, MIN_REASON_CHARS, add_chair, back_enter_session, book_session
from .changes import cancel_session, record_no_show, reschedule_session
from .planning import accept_course_plan, apply_replan, confirm_session
from .rules import BOOKING_GRACE, BOOKING_HORIZON, now
from .staffing import (
    AVAILABILITY_ROLES,
    WAITING_ROLES,
    add_nurse_shift,
    join_waiting_list,
    leave_waiting_list,
    remove_nurse_shift,
    set_patient_availability,
    set_shift_exception,
)

__all__ = [
    "BOOKING_GRACE", "BOOKING_HORIZON", "BOOKING_ROLES", "LIVE_STATES", "MIN_REASON_CHARS", "add_chair",
    "back_enter_session", "book_session", "cancel_session", "now", "record_no_show", "reschedule_session",
    "AVAILABILITY_ROLES", "WAITING_ROLES", "accept_course_plan", "add_nurse_shift", "apply_replan", "confirm_session",
    "join_waiting_list", "leave_waiting_list", "remove_nurse_shift", "set_patient_availability",
    "set_shift_exception",
]
