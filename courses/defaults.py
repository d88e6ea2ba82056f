"""A protocol's clinical defaults, written once (CLINICAL.md sections 2-3, Policy).

Each default comes from the kernel dataclass whose rule it feeds, so the
model, the form, the API schema and the services that read a protocol
snapshot all name the same figure. Only the ordered dose has no kernel
default: 0.5 mg/kg is the Feder 2021 induction dose (CLINICAL.md section 2).
"""

from collections.abc import Mapping
from dataclasses import fields
from decimal import Decimal
from typing import Any

from clinical.dosing import DoseInputs, DoseLimits, WeightBasis
from clinical.scheduling import CourseSpacing
from clinical.thresholds import DEFAULT_THRESHOLDS
from clinical.vitals import MonitoringSchedule

_SPACING = CourseSpacing()
_LIMITS = DoseLimits()
_MONITORING = MonitoringSchedule()
_PUMP: dict[str, Any] = {f.name: f.default for f in fields(DoseInputs)}
_TENTH = Decimal("0.1")  # decimals carry the places of their model field, so a snapshot reads "10.0", not "10"

N_INFUSIONS: int = _SPACING.n_infusions
MIN_HOURS_BETWEEN: int = _SPACING.min_hours_between
MAX_SPAN_DAYS: int = _SPACING.max_span_days
MG_PER_KG = Decimal("0.50")
INFUSION_MIN: int = int(_PUMP["duration_min"])
MAX_MG_PER_KG: Decimal = _LIMITS.max_mg_per_kg.quantize(Decimal("0.01"))
MAX_TOTAL_MG: Decimal = _LIMITS.max_total_mg.quantize(_TENTH)
WEIGHT_BASIS: str = WeightBasis.ACTUAL.value
VIAL_MG_PER_ML: Decimal = _LIMITS.vial_strengths_mg_per_ml[0].quantize(_TENTH)  # the formulary's first (the label's 10 mg/mL)
BAG_VOLUME_ML: Decimal = Decimal(_PUMP["bag_volume_ml"]).quantize(_TENTH)
BP_EVERY_MIN_INFUSING: int = _MONITORING.bp_every_min_infusing
BP_EVERY_MIN_RECOVERING: int = _MONITORING.bp_every_min_recovering

__all__ = ["BAG_VOLUME_ML", "BP_EVERY_MIN_INFUSING", "BP_EVERY_MIN_RECOVERING", "DEFAULT_THRESHOLDS", "INFUSION_MIN",
           "MAX_MG_PER_KG", "MAX_SPAN_DAYS", "MAX_TOTAL_MG", "MG_PER_KG", "MIN_HOURS_BETWEEN", "N_INFUSIONS",
           "VIAL_MG_PER_ML", "WEIGHT_BASIS", "planned_infusions", "snapshot_value"]


def snapshot_value(snapshot: Mapping[str, Any], key: str) -> Any:
    """Read one setting of a course's protocol snapshot; a snapshot older than the setting gets its default."""
    return snapshot.get(key, _BY_KEY[key])


def planned_infusions(snapshot: Mapping[str, Any]) -> int:
    """How many infusions a course's protocol snapshot plans."""
    return int(snapshot_value(snapshot, "n_infusions"))


_BY_KEY: Mapping[str, object] = {
    "n_infusions": N_INFUSIONS, "min_hours_between": MIN_HOURS_BETWEEN, "max_span_days": MAX_SPAN_DAYS,
    "mg_per_kg": MG_PER_KG, "infusion_min": INFUSION_MIN, "max_mg_per_kg": MAX_MG_PER_KG,
    "max_total_mg": MAX_TOTAL_MG, "weight_basis": WEIGHT_BASIS, "vial_mg_per_ml": VIAL_MG_PER_ML,
    "bag_volume_ml": BAG_VOLUME_ML, "bp_every_min_infusing": BP_EVERY_MIN_INFUSING,
    "bp_every_min_recovering": BP_EVERY_MIN_RECOVERING, "thresholds": DEFAULT_THRESHOLDS,
}
