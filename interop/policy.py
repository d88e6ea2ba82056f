"""Clinic settings of the monitor feed (docs/adr/0004-hl7-ack-policy.md); keys kept from when infusions owned them."""

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from accounts.policy import Setting
from clinical.hl7 import Hl7ParseOptions
from clinical.hl7.mllp import DEFAULT_MAX_MESSAGE_BYTES

SETTINGS = [
    Setting("infusion_hl7_time_zone", "Monitor time zone (blank = clinic's)", "text", "",
            help="Time zone for monitor times sent without a UTC offset, e.g. America/Chicago."),
    Setting("infusion_hl7_result_statuses", "Monitor result statuses filed", "list", ["F", "C", "R"],
            help="OBX-11 values charted (docs/adr/0004-hl7-ack-policy.md); others are ignored."),
    Setting("infusion_hl7_clock_skew_min", "Monitor clock tolerance (minutes)", "int", 10, min=0, max=1440,
            help="Readings timed this much before check-in or after arrival are still charted; beyond, held for a nurse."),
    Setting("infusion_hl7_quarantine_max_kb", "Monitor quarantine size limit (kB)", "int", 10240, min=64, max=1048576,
            help="Messages held for a nurse take at most this much; beyond, new ones get AE and are only counted."),
    Setting("infusion_hl7_quarantine_max_days", "Monitor quarantine age limit (days)", "int", 30, min=1, max=3650,
            help="Held messages older than this are dismissed automatically and their text deleted."),
    Setting("infusion_hl7_max_message_kb", "Largest monitor message (kB)", "int", DEFAULT_MAX_MESSAGE_BYTES // 1024,
            min=4, max=16384, help="Larger MLLP frames get AR and the connection is closed."),
]
_BY_KEY = {setting.key: setting for setting in SETTINGS}


def value(clinic: Any, key: str) -> Any:
    """Return the clinic's value of one of these settings (stored value checked, else the default)."""
    setting = _BY_KEY[key]
    stored = (clinic.policy or {}).get(key)
    return setting.default if stored is None else setting.parse(stored)


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


def hl7_clock_skew(clinic: Any) -> timedelta:
    """How far a monitor's clock may be off before its readings are held for a nurse."""
    return timedelta(minutes=int(value(clinic, "infusion_hl7_clock_skew_min")))


def hl7_quarantine_limits(clinic: Any) -> tuple[int, timedelta]:
    """The quarantine's size limit in bytes and its age limit."""
    return (int(value(clinic, "infusion_hl7_quarantine_max_kb")) * 1024,
            timedelta(days=int(value(clinic, "infusion_hl7_quarantine_max_days"))))
