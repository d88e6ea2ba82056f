"""Clinic settings of the chairside session and the monitor feed (CLINICAL.md sections 2-3, Policy).

Vital-sign thresholds and the monitoring schedule live on the protocol (and the
copy kept with each course); these are the clinic-wide values.
"""

from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from accounts.policy import Setting
from clinical.discharge import DischargePolicy, ScoreKind
from clinical.hl7 import Hl7ParseOptions
from clinical.hl7.mllp import DEFAULT_MAX_MESSAGE_BYTES

SETTINGS = [
    Setting("infusion_observation_min", "Minimum observation after the infusion (minutes)", "int", 60, min=0, max=480,
            help="Discharge is refused before this time has passed since the infusion ended (CLINICAL.md section 3)."),
    Setting("infusion_discharge_score", "Discharge score", "choice", "aldrete", choices=("aldrete", "padss"),
            help="Modified Aldrete, or PADSS as the alternative (CLINICAL.md section 3)."),
    Setting("infusion_aldrete_ready_at", "Aldrete score needed to discharge", "int", 9, min=1, max=10),
    Setting("infusion_padss_ready_at", "PADSS score needed to discharge", "int", 9, min=1, max=10),
    Setting("infusion_fasting_hours", "Fasting before an infusion (hours, 0 = not asked)", "int", 0, min=0, max=24,
            help="CLINICAL.md gives no fasting rule; when above 0, check-in asks the nurse to confirm it."),
    Setting("infusion_pregnancy_test", "Pregnancy test at check-in", "choice", "female",
            choices=("female", "everyone", "never"),
            help="Who needs a negative test before each infusion (pregnancy is an absolute contraindication)."),
    Setting("infusion_weight_change_pct", "Weight change that needs confirming (%)", "decimal", Decimal("10"),
            min=1, max=100, help="At check-in, a weight this much above or below the last recorded one (or about "
            "2.2 times it, pounds typed as kilograms) must be confirmed with a reason."),
    Setting("infusion_hl7_time_zone", "Monitor time zone (blank = clinic's)", "text", "",
            help="Time zone for monitor times sent without a UTC offset, e.g. America/Chicago."),
    Setting("infusion_hl7_result_statuses", "Monitor result statuses filed", "list", ["F", "C", "R"],
            help="OBX-11 values charted (docs/adr/0004-hl7-ack-policy.md); others are ignored."),
    Setting("infusion_hl7_max_message_kb", "Largest monitor message (kB)", "int", DEFAULT_MAX_MESSAGE_BYTES // 1024,
            min=4, max=16384, help="Larger MLLP frames get AR and the connection is closed."),
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


def hl7_time_zone(clinic: Any) -> ZoneInfo:
    """Return the zone for monitor times without an offset: the setting, else the clinic's."""
    name = value(clinic, "infusion_hl7_time_zone") or clinic.time_zone
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(clinic.time_zone)


def hl7_options(clinic: Any) -> Hl7ParseOptions:
    """Return the parse options from the clinic's settings."""
    statuses = frozenset(s.strip().upper() for s in value(clinic, "infusion_hl7_result_statuses"))
    return Hl7ParseOptions(accepted_result_statuses=statuses or Hl7ParseOptions().accepted_result_statuses)


def hl7_max_bytes(clinic: Any) -> int:
    """Return the MLLP frame size limit in bytes."""
    return int(value(clinic, "infusion_hl7_max_message_kb")) * 1024
