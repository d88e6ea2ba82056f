"""Clinic settings of ordering (CLINICAL.md section 2, Policy)."""

from decimal import Decimal
from typing import Any

from accounts.policy import Setting
from clinical.dosing import DEFAULT_CEILING_MG_PER_KG

SETTINGS = [
    Setting("dose_ceiling_mg_per_kg", "Hard dose ceiling", "decimal", DEFAULT_CEILING_MG_PER_KG,
            min=Decimal("0.1"), max=Decimal("2"), unit="mg/kg",
            help="No order or override may pass this dose per kg of actual weight. Default 1.0 mg/kg: the "
                 "anaesthetic induction dose starts there; psychiatric dosing runs 0.1-0.75 mg/kg."),
]

_BY_KEY = {setting.key: setting for setting in SETTINGS}


def value(clinic: Any, key: str) -> Any:
    """Return the clinic's value of one of these settings, or its default."""
    setting = _BY_KEY[key]
    stored = (clinic.policy or {}).get(key)
    return setting.default if stored is None else setting.parse(stored)


def dose_ceiling(clinic: Any) -> Decimal:
    """The clinic's hard dose ceiling in mg/kg."""
    return Decimal(value(clinic, "dose_ceiling_mg_per_kg"))
