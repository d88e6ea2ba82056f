"""Clinic settings of the measures app (CLINICAL.md s4 "Policy" values and issue 3 defaults).

The outcome definitions live here because every score label uses them; the
outcomes report reads them through `outcome_definitions(clinic)` so both agree.
"""

from typing import Any

from accounts.policy import Setting, policy_value
from clinical.assessment_schedule import ScheduleWindows
from clinical.chair_rules import SECONDARY_CHOICES, futility_instruments
from clinical.instruments import DEFAULT_PCL5_CUTPOINT, PCL5_CUTPOINT_RANGE
from clinical.outcomes import OutcomeDefinitions

DEFAULT_CRISIS_TEXT = (
    "Thank you for telling us. If you are thinking about ending your life or hurting yourself, "
    "you do not have to wait for us: call or text 988, the Suicide & Crisis Lifeline, at any hour. "
    "If you might act on these thoughts now, or you are in danger, call 911 or go to the nearest "
    "emergency department. Our clinical team has been alerted to your answer and will contact you."
)

SETTINGS = [
    Setting("measures_pcl5_cutpoint", "PCL-5 cut-point (provisional PTSD, remission)", "int",
            DEFAULT_PCL5_CUTPOINT, min=PCL5_CUTPOINT_RANGE[0], max=PCL5_CUTPOINT_RANGE[1], unit="points of 80",
            help="A total at or above it is provisional PTSD by cut-point; below it, remission."),
    Setting("measures_response_pct", "Response: reduction from the course baseline", "int", 30, min=1, max=100,
            unit="%", help="A drop of at least this share from the baseline total counts as response (Feder 2021)."),
    Setting("measures_response_pcl5_points", "Response: PCL-5 drop (0 turns it off)", "int", 10,
            min=0, max=80, unit="points", help="A PCL-5 drop of this many points also counts as response; 10 is clinically meaningful."),
    Setting("measures_futility_after_infusions", "Prompt a review after this many infusions without response",
            "int", 3, min=1, max=20, unit="infusions",
            help="Few patients respond later when none did by the third infusion (APA consensus summary)."),
    Setting("measures_secondary_outcome", "Secondary outcome instrument (with PCL-5, the futility review follows it)",
            "choice", "phq9", choices=SECONDARY_CHOICES,
            help="PHQ-9, MADRS or CAPS-5. The review prompt after the futility count looks at PCL-5 and this one only, "
            "never at CADSS, which measures dissociation during the infusion."),
    Setting("measures_due_window_hours", "Assessments stay due for", "int", 48, min=1, max=2160, unit="hours",
            help="For points after an infusion: hours from the point's time until the item counts as overdue."),
    Setting("measures_overdue_hours", "Overdue assessments stay listed for", "int", 168, min=1, max=2160, unit="hours",
            help="After this the item counts as missed and leaves the due list."),
    Setting("measures_link_expiry_hours", "Patient questionnaire links expire after", "int", 72,
            min=1, max=720, unit="hours", help="A link sent to a patient stops working after this long, used or not."),
    Setting("measures_crisis_text", "Crisis text shown after a suicide-risk answer", "text", DEFAULT_CRISIS_TEXT,
            help="Shown to the patient at once on a link questionnaire (PHQ-9 item 9 > 0, C-SSRS moderate or high)."),
    Setting("measures_escalate_after_min", "Escalate an unacknowledged suicide-risk alert after",
            "int", 15, min=1, max=1440, unit="minutes",
            help="If nobody acknowledges the alert by then, the on-call prescriber is emailed."),
    Setting("measures_oncall_prescriber", "On-call prescriber (username) for escalations", "text", "",
            help="Empty: the email goes to every active prescriber of the clinic."),
]

MAX_LINK_HOURS = 720


def pcl5_cutpoint(clinic: Any) -> int:
    """Return the clinic's PCL-5 cut-point."""
    return int(policy_value(clinic, "measures_pcl5_cutpoint"))


def outcome_definitions(clinic: Any) -> OutcomeDefinitions:
    """Build the kernel's outcome definitions from the clinic's settings."""
    points = int(policy_value(clinic, "measures_response_pcl5_points"))
    return OutcomeDefinitions(
        response_pct_reduction=int(policy_value(clinic, "measures_response_pct")),
        response_pcl5_points=points or None,
        remission_cutpoint=pcl5_cutpoint(clinic),
        futility_after_infusions=int(policy_value(clinic, "measures_futility_after_infusions")),
    )


def schedule_windows(clinic: Any) -> ScheduleWindows:
    """Build the kernel's due/overdue windows from the clinic's settings."""
    return ScheduleWindows(
        due_window_hours=int(policy_value(clinic, "measures_due_window_hours")),
        overdue_hours=int(policy_value(clinic, "measures_overdue_hours")),
    )


def futility_outcomes(clinic: Any) -> tuple[str, ...]:
    """The instruments the futility review prompt follows: PCL-5 and the clinic's chosen secondary (never CADSS)."""
    return futility_instruments(str(policy_value(clinic, "measures_secondary_outcome")))
