"""Clinic settings of the chairside session (CLINICAL.md sections 2-3, Policy); the monitor feed's are in interop.

Vital-sign thresholds and the monitoring schedule live on the protocol (and the
copy kept with each course); these are the clinic-wide values.
"""

from decimal import Decimal
from typing import Any

from accounts.policy import Setting
from clinical.discharge import DischargePolicy, ScoreKind

SETTINGS = [
    Setting("infusion_observation_min", "Minimum observation after the infusion", "int", 60, min=0, max=480,
            unit="minutes", help="Discharge is refused before this time has passed since the infusion ended."),
    Setting("infusion_discharge_score", "Discharge score", "choice", "aldrete", choices=("aldrete", "padss"),
            help="The score the nurse records at discharge: modified Aldrete, or PADSS as the alternative."),
    Setting("infusion_aldrete_ready_at", "Aldrete score needed to discharge", "int", 9, min=1, max=10,
            unit="points of 10", help="A modified Aldrete total at or above this lets the patient go home."),
    Setting("infusion_padss_ready_at", "PADSS score needed to discharge", "int", 9, min=1, max=10,
            unit="points of 10", help="A PADSS total at or above this lets the patient go home (when PADSS is chosen)."),
    Setting("infusion_fasting_hours", "Fasting before an infusion (0 = not asked)", "int", 0, min=0, max=24,
            unit="hours", help="No published fasting rule exists; above 0, check-in asks the nurse to confirm it."),
    Setting("infusion_pregnancy_test", "Pregnancy test at check-in", "choice", "female",
            choices=("female", "everyone", "never"),
            help="Who needs a negative test before each infusion (pregnancy is an absolute contraindication)."),
    Setting("infusion_early_stop_tolerance_min", "Stopping as 'dose complete' this close to the planned time needs no reason",
            "decimal", Decimal("1"), min=0, max=10, unit="minutes",
            help="Before the planned infusion time less this, 'Stop: dose complete' asks for a reason and records an "
            "early stop with the dose actually given."),
    Setting("infusion_weight_change_pct", "Weight change that needs confirming", "decimal", Decimal("10"),
            min=1, max=100, unit="%", help="At check-in, a weight this much above or below the last recorded one (or about "
            "2.2 times it, pounds typed as kilograms) must be confirmed with a reason."),
]


_BY_KEY = {setting.key: setting for setting in SETTINGS}


def value(clinic: Any, key: str) -> Any:
    """Return the clinic's value of one of these settings (as accounts.policy.policy_value, without the registry scan)."""
    setting = _BY_KEY[key]
    stored = (clinic.policy or {}).get(key)
    return setting.default if stored is None else setting.parse(stored)


def discharge_policy(clinic: Any) -> DischargePolicy:
    """Build the kernel's discharge policy from the clinic's settings."""
    return DischargePolicy(
        min_observation_min=value(clinic, "infusion_observation_min"),
        aldrete_ready_at=value(clinic, "infusion_aldrete_ready_at"),
        padss_ready_at=value(clinic, "infusion_padss_ready_at"),
    )


def discharge_score_kind(clinic: Any) -> ScoreKind:
    """Return which discharge score the clinic uses."""
    return ScoreKind(value(clinic, "infusion_discharge_score"))
