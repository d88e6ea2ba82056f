"""A protocol's table of vital-sign thresholds, read into the kernel's ``Thresholds`` (CLINICAL.md section 3, Policy).

The table's defaults are the kernel's: ``DEFAULT_THRESHOLDS`` is built from
``Thresholds()``, so CLINICAL.md's figures are written down once.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from clinical.errors import ClinicalError
from clinical.vitals import Measure, Thresholds

# Protocol table keys -> Thresholds fields.
THRESHOLD_KEYS: Mapping[str, str] = {
    "sbp_do_not_start": "sbp_do_not_start_mmhg",
    "dbp_do_not_start": "dbp_do_not_start_mmhg",
    "sbp_pause": "sbp_pause_mmhg",
    "dbp_pause": "dbp_pause_mmhg",
    "spo2_warn_below": "spo2_warn_below_pct",
    "spo2_stop_below": "spo2_stop_below_pct",
    "hr_warn_above": "hr_warn_above_bpm",
    "rr_warn_below": "rr_warn_below_per_min",
}


def _measure(key: str, raw: object) -> Decimal | int:
    if isinstance(raw, bool) or not isinstance(raw, int | str | Decimal):
        raise ClinicalError(f"Threshold {key} must be a number, not {raw!r}.")
    if isinstance(raw, int):
        return raw
    try:
        value = Decimal(str(raw).strip())
    except ArithmeticError:
        raise ClinicalError(f"Threshold {key} must be a number, not {raw!r}.") from None
    if not value.is_finite():
        raise ClinicalError(f"Threshold {key} must be a number, not {raw!r}.")
    return int(value) if value == value.to_integral_value() else value


def thresholds_from_protocol(table: Mapping[str, object]) -> Thresholds:
    """Build Thresholds from a protocol's table; keys left out keep the CLINICAL.md defaults."""
    unknown = sorted(set(table) - set(THRESHOLD_KEYS))
    if unknown:
        raise ClinicalError(f"Unknown threshold keys: {', '.join(unknown)}.")
    values = {THRESHOLD_KEYS[key]: _measure(key, raw) for key, raw in table.items()}
    return Thresholds(**values)


def _default_table() -> dict[str, Measure]:
    defaults = Thresholds()
    return {key: getattr(defaults, field) for key, field in THRESHOLD_KEYS.items()}


DEFAULT_THRESHOLDS: Mapping[str, Measure] = _default_table()
"""A protocol's threshold table when nobody has edited it: the kernel's defaults under the table's keys."""
