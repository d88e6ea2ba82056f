"""The permission table: what each role may do, as data, read by views, API, services and tests.

A view names its permission (`@allow(Perm.RECORD_VITALS)`), an API operation the same
(`@api_allow(Perm.RECORD_VITALS)`), and the service behind both checks it again
(`require(Perm.RECORD_VITALS, by, clinic)`), so the page, the API and the service cannot drift.
To change who may do something, change ROLE_PERMISSIONS below and the pinned table in
accounts/tests/test_permissions.py; nothing else names a role.
"""

from enum import StrEnum

from .choices import Role


class Perm(StrEnum):
    """One thing a member of a clinic may do; grouped by area, in the order the table page shows them."""

    # Patients
    VIEW_PATIENTS = "view_patients"
    REGISTER_PATIENTS = "register_patients"
    TAKE_HISTORY = "take_history"
    SCREEN_ELIGIBILITY = "screen_eligibility"
    SIGN_SCREENING = "sign_screening"
    # Courses and schedule
    VIEW_COURSES = "view_courses"
    ORDER_COURSE = "order_course"
    END_COURSE = "end_course"
    BOOK_SESSIONS = "book_sessions"
    BACK_ENTER_SESSION = "back_enter_session"
    RECORD_AVAILABILITY = "record_availability"
    MANAGE_WAITING_LIST = "manage_waiting_list"
    MANAGE_NURSE_SHIFTS = "manage_nurse_shifts"
    REPLAN_CALENDAR = "replan_calendar"
    VIEW_PROTOCOLS = "view_protocols"
    MANAGE_PROTOCOLS = "manage_protocols"
    MANAGE_CHAIRS = "manage_chairs"
    # At the chair
    OPEN_SESSIONS = "open_sessions"
    CHECK_IN = "check_in"
    VERIFY_DOSE = "verify_dose"
    CONTROL_INFUSION = "control_infusion"
    RECORD_VITALS = "record_vitals"
    RECORD_SIDE_EFFECTS = "record_side_effects"
    RECORD_ADVERSE_EVENTS = "record_adverse_events"
    DISCHARGE = "discharge"
    WRITE_SESSION_NOTES = "write_session_notes"
    OVERRIDE_SAFETY_LIMITS = "override_safety_limits"
    SIGN_SESSION = "sign_session"
    COSIGN_SESSION = "cosign_session"
    VIEW_SESSION_RECORDS = "view_session_records"
    TRIAGE_MONITOR_MESSAGES = "triage_monitor_messages"
    # Alerts
    VIEW_ALERTS = "view_alerts"
    ACKNOWLEDGE_ALERTS = "acknowledge_alerts"
    REVIEW_ALERTS = "review_alerts"
    # Questionnaires and therapy
    VIEW_QUESTIONNAIRES = "view_questionnaires"
    RECORD_QUESTIONNAIRES = "record_questionnaires"
    SEND_QUESTIONNAIRE_LINKS = "send_questionnaire_links"
    IMPORT_WORDING = "import_wording"
    VIEW_THERAPY = "view_therapy"
    RECORD_THERAPY = "record_therapy"
    # Controlled-substance ledger
    VIEW_LEDGER = "view_ledger"
    HANDLE_KETAMINE = "handle_ketamine"
    WITNESS_KETAMINE = "witness_ketamine"
    KEEP_LEDGER = "keep_ledger"
    # Outcomes and administration
    VIEW_OUTCOMES = "view_outcomes"
    READ_FHIR = "read_fhir"
    FILE_FHIR_REFERRALS = "file_fhir_referrals"
    MANAGE_CLINIC = "manage_clinic"
    MANAGE_STAFF = "manage_staff"
    VIEW_AUDIT_LOG = "view_audit_log"
    VIEW_PERMISSIONS = "view_permissions"

    @property
    def description(self) -> str:
        return DESCRIPTIONS[self]


DESCRIPTIONS: dict[Perm, str] = {
    Perm.VIEW_PATIENTS: "See identified patients: list, chart, dashboard, today's sessions, questionnaires due.",
    Perm.REGISTER_PATIENTS: "Register a patient and edit their demographics.",
    Perm.TAKE_HISTORY: "Take the intake history: prior treatments, trauma, medications.",
    Perm.SCREEN_ELIGIBILITY: "Record an eligibility screening (unsigned).",
    Perm.SIGN_SCREENING: "Sign an eligibility screening.",
    Perm.VIEW_COURSES: "See a treatment course and its sessions.",
    Perm.ORDER_COURSE: "Order a treatment course and its dose.",
    Perm.END_COURSE: "End a treatment course early.",
    Perm.BOOK_SESSIONS: "See the chair schedule; book, cancel and reschedule infusion sessions; record no-shows.",
    Perm.BACK_ENTER_SESSION: "Enter a past infusion session that was not booked (back entry).",
    Perm.RECORD_AVAILABILITY: "Record when a patient can come in (the planner's windows).",
    Perm.MANAGE_WAITING_LIST: "Put courses on the waiting list and take them off.",
    Perm.MANAGE_NURSE_SHIFTS: "Record nurse shifts and their exceptions.",
    Perm.REPLAN_CALENDAR: "Re-plan the unconfirmed bookings of the calendar.",
    Perm.VIEW_PROTOCOLS: "List protocol templates through the API.",
    Perm.MANAGE_PROTOCOLS: "Create and edit protocol templates.",
    Perm.MANAGE_CHAIRS: "Add and edit infusion chairs.",
    Perm.OPEN_SESSIONS: "Open a session's chairside screen and its live panel.",
    Perm.CHECK_IN: "Check a patient in: identity, consent, checklist, weight.",
    Perm.VERIFY_DOSE: "Verify the dose at the chair (the double check).",
    Perm.CONTROL_INFUSION: "Start, pause, resume, stop or transfer an infusion.",
    Perm.RECORD_VITALS: "Record vital signs.",
    Perm.RECORD_SIDE_EFFECTS: "Record the CADSS and side effects.",
    Perm.RECORD_ADVERSE_EVENTS: "Record an adverse event.",
    Perm.DISCHARGE: "Score the discharge criteria and discharge the patient.",
    Perm.WRITE_SESSION_NOTES: "Write notes on a session.",
    Perm.OVERRIDE_SAFETY_LIMITS: "Override a dose above the protocol limits, a do-not-start reading or the discharge criteria.",
    Perm.SIGN_SESSION: "Sign a session record (the nurse's signature).",
    Perm.COSIGN_SESSION: "Co-sign a session record (the prescriber's signature).",
    Perm.VIEW_SESSION_RECORDS: "Read session records and their vital signs.",
    Perm.TRIAGE_MONITOR_MESSAGES: "Open held bedside-monitor (HL7) messages; assign or dismiss them.",
    Perm.VIEW_ALERTS: "See open alerts.",
    Perm.ACKNOWLEDGE_ALERTS: "Acknowledge an alert with the action taken.",
    Perm.REVIEW_ALERTS: "Review a suicide-risk or critical alert and decide whether infusions go ahead (it blocks the chair until then).",
    Perm.VIEW_QUESTIONNAIRES: "Read a patient's questionnaire answers, scores and progress.",
    Perm.RECORD_QUESTIONNAIRES: "Enter questionnaire answers for a patient.",
    Perm.SEND_QUESTIONNAIRE_LINKS: "Send a patient a one-time questionnaire link.",
    Perm.IMPORT_WORDING: "Import licensed instrument wording for the clinic.",
    Perm.VIEW_THERAPY: "Read integration therapy sessions.",
    Perm.RECORD_THERAPY: "Record an integration therapy session.",
    Perm.VIEW_LEDGER: "Read the controlled-substance ledger and its reports.",
    Perm.HANDLE_KETAMINE: "Draw, administer, waste and count ketamine.",
    Perm.WITNESS_KETAMINE: "Witness waste and destruction of ketamine.",
    Perm.KEEP_LEDGER: "Receive, transfer, destroy and correct stock; set up products; take inventories; resolve discrepancies.",
    Perm.VIEW_OUTCOMES: "See the outcome report and download the research export.",
    Perm.READ_FHIR: "Read identified patient data through the FHIR API with a staff token.",
    Perm.FILE_FHIR_REFERRALS: "File a referral through the FHIR API with a staff token.",
    Perm.MANAGE_CLINIC: "Change the clinic's settings and alert thresholds.",
    Perm.MANAGE_STAFF: "See and add staff of the clinic.",
    Perm.VIEW_AUDIT_LOG: "Read the clinic's audit log.",
    Perm.VIEW_PERMISSIONS: "See this table of roles and permissions.",
}

_P = Perm
# The table itself: what each role may do. Every role is listed; a role holds nothing not listed.
ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.PRESCRIBER: frozenset({
        _P.VIEW_PATIENTS, _P.REGISTER_PATIENTS, _P.TAKE_HISTORY, _P.SCREEN_ELIGIBILITY, _P.SIGN_SCREENING,
        _P.VIEW_COURSES, _P.ORDER_COURSE, _P.END_COURSE, _P.BOOK_SESSIONS, _P.BACK_ENTER_SESSION, _P.VIEW_PROTOCOLS,
        _P.MANAGE_PROTOCOLS, _P.RECORD_AVAILABILITY, _P.MANAGE_WAITING_LIST,
        _P.OPEN_SESSIONS, _P.CHECK_IN, _P.VERIFY_DOSE, _P.CONTROL_INFUSION, _P.RECORD_VITALS, _P.RECORD_SIDE_EFFECTS,
        _P.RECORD_ADVERSE_EVENTS, _P.DISCHARGE, _P.WRITE_SESSION_NOTES, _P.OVERRIDE_SAFETY_LIMITS, _P.COSIGN_SESSION,
        _P.VIEW_SESSION_RECORDS, _P.TRIAGE_MONITOR_MESSAGES,
        _P.VIEW_ALERTS, _P.ACKNOWLEDGE_ALERTS, _P.REVIEW_ALERTS,
        _P.VIEW_QUESTIONNAIRES, _P.RECORD_QUESTIONNAIRES, _P.SEND_QUESTIONNAIRE_LINKS, _P.VIEW_THERAPY, _P.RECORD_THERAPY,
        _P.VIEW_LEDGER, _P.WITNESS_KETAMINE,
        _P.VIEW_OUTCOMES, _P.READ_FHIR, _P.FILE_FHIR_REFERRALS,
    }),
    Role.NURSE: frozenset({
        _P.VIEW_PATIENTS, _P.REGISTER_PATIENTS, _P.TAKE_HISTORY, _P.SCREEN_ELIGIBILITY,
        _P.VIEW_COURSES, _P.BOOK_SESSIONS, _P.VIEW_PROTOCOLS, _P.RECORD_AVAILABILITY,
        _P.OPEN_SESSIONS, _P.CHECK_IN, _P.VERIFY_DOSE, _P.CONTROL_INFUSION, _P.RECORD_VITALS, _P.RECORD_SIDE_EFFECTS,
        _P.RECORD_ADVERSE_EVENTS, _P.DISCHARGE, _P.WRITE_SESSION_NOTES, _P.SIGN_SESSION,
        _P.VIEW_SESSION_RECORDS, _P.TRIAGE_MONITOR_MESSAGES,
        _P.VIEW_ALERTS, _P.ACKNOWLEDGE_ALERTS,
        _P.VIEW_QUESTIONNAIRES, _P.RECORD_QUESTIONNAIRES, _P.SEND_QUESTIONNAIRE_LINKS, _P.VIEW_THERAPY,
        _P.VIEW_LEDGER, _P.HANDLE_KETAMINE, _P.WITNESS_KETAMINE,
        _P.READ_FHIR,
    }),
    Role.THERAPIST: frozenset({
        _P.VIEW_PATIENTS, _P.TAKE_HISTORY,
        _P.VIEW_COURSES,
        _P.VIEW_SESSION_RECORDS,
        _P.VIEW_ALERTS, _P.ACKNOWLEDGE_ALERTS,
        _P.VIEW_QUESTIONNAIRES, _P.RECORD_QUESTIONNAIRES, _P.SEND_QUESTIONNAIRE_LINKS, _P.VIEW_THERAPY, _P.RECORD_THERAPY,
        _P.READ_FHIR,
    }),
    Role.FRONT_DESK: frozenset({
        _P.VIEW_PATIENTS, _P.REGISTER_PATIENTS, _P.TAKE_HISTORY,
        _P.VIEW_COURSES, _P.BOOK_SESSIONS, _P.RECORD_AVAILABILITY, _P.MANAGE_WAITING_LIST,
        _P.SEND_QUESTIONNAIRE_LINKS,
        _P.READ_FHIR, _P.FILE_FHIR_REFERRALS,
    }),
    Role.CLINIC_ADMIN: frozenset({
        _P.VIEW_PATIENTS, _P.REGISTER_PATIENTS,
        _P.VIEW_COURSES, _P.BOOK_SESSIONS, _P.VIEW_PROTOCOLS, _P.MANAGE_PROTOCOLS, _P.MANAGE_CHAIRS,
        _P.RECORD_AVAILABILITY, _P.MANAGE_WAITING_LIST, _P.MANAGE_NURSE_SHIFTS, _P.REPLAN_CALENDAR,
        _P.IMPORT_WORDING,
        _P.VIEW_LEDGER,
        _P.VIEW_OUTCOMES, _P.MANAGE_CLINIC, _P.MANAGE_STAFF, _P.VIEW_AUDIT_LOG, _P.VIEW_PERMISSIONS,
        _P.READ_FHIR, _P.FILE_FHIR_REFERRALS,
    }),
    Role.INVENTORY_OFFICER: frozenset({
        _P.VIEW_LEDGER, _P.HANDLE_KETAMINE, _P.WITNESS_KETAMINE, _P.KEEP_LEDGER,
    }),
    Role.RESEARCHER: frozenset({
        _P.VIEW_OUTCOMES,
    }),
}


def permissions_of(role: str | None) -> frozenset[Perm]:
    """What the role may do (nothing for no role or an unknown one)."""
    return ROLE_PERMISSIONS.get(str(role), frozenset()) if role else frozenset()


def has_perm(role: str | None, perm: Perm) -> bool:
    """Tell whether the role holds the permission."""
    return perm in permissions_of(role)


def roles_with(perm: Perm) -> frozenset[str]:
    """The roles that hold the permission."""
    return frozenset(str(role) for role, perms in ROLE_PERMISSIONS.items() if perm in perms)
