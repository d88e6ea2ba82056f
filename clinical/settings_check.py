"""Check a clinic's settings and a protocol as a whole before they are saved (issue 14 item 5, ADR 0017).

Each setting is parsed and range-checked on its own where it is declared; these
functions judge the combination, so a contradiction (a code both absolute and
relative, a dose above its own maximum, a pause threshold below the start
threshold) is refused with every problem named at once instead of being saved
and breaking every page that reads it. They return ``{key: message}``; empty
means the values may be saved. Nothing is clamped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")

# Plausible ranges of the threshold table (CLINICAL.md section 3 defaults sit well inside them).
# A threshold outside them is a typing error: an SBP "pause" at 18 would pause every session.
THRESHOLD_RANGES: Mapping[str, tuple[int, int, str]] = {
    "sbp_do_not_start": (120, 220, "mmHg"),
    "dbp_do_not_start": (70, 140, "mmHg"),
    "sbp_pause": (120, 240, "mmHg"),
    "dbp_pause": (70, 150, "mmHg"),
    "spo2_warn_below": (80, 99, "%"),
    "spo2_stop_below": (75, 98, "%"),
    "hr_warn_above": (80, 200, "beats/min"),
    "rr_warn_below": (4, 20, "breaths/min"),
}

# Limits of a protocol template (CLINICAL.md section 2): positive, and ordered dose <= max <= ceiling.
MAX_TOTAL_MG_CEILING = Decimal("1000")


def _codes(lines: Iterable[str]) -> list[str]:
    return [str(line).partition(":")[0].strip() for line in lines]


def check_contraindications(absolute: Iterable[str], relative: Iterable[str]) -> dict[str, str]:
    """Refuse codes that are malformed, listed twice, or both absolute and relative."""
    errors: dict[str, str] = {}
    lists = {"absolute_contraindications": _codes(absolute), "relative_contraindications": _codes(relative)}
    for key, codes in lists.items():
        bad = sorted({c for c in codes if not CODE.match(c)})
        twice = sorted({c for c in codes if codes.count(c) > 1})
        problems = []
        if bad:
            problems.append("codes must be lower-case letters, digits and underscores (one 'code: label' a line): "
                            + ", ".join(repr(c) for c in bad))
        if twice:
            problems.append("listed more than once: " + ", ".join(twice))
        if problems:
            text = "; ".join(problems)
            errors[key] = text[0].upper() + text[1:] + "."
    both = sorted(set(lists["absolute_contraindications"]) & set(lists["relative_contraindications"]))
    if both:
        message = (f"{', '.join(both)} cannot be both absolute and relative: keep each contraindication in one list.")
        errors["relative_contraindications"] = " ".join(filter(None, [errors.get("relative_contraindications"), message]))
    return errors


def _clock(value: str) -> int:
    hours, _, minutes = str(value).partition(":")
    return int(hours) * 60 + int(minutes or 0)


def check_clinic_settings(values: Mapping[str, Any]) -> dict[str, str]:
    """Check the clinic's settings together (every key present, parsed); return a message per key at fault."""
    errors = check_contraindications(values.get("absolute_contraindications", []),
                                     values.get("relative_contraindications", []))
    if "schedule_open" in values and "schedule_close" in values:
        if _clock(values["schedule_open"]) >= _clock(values["schedule_close"]):
            errors["schedule_close"] = "The clinic must close after it opens."
    closed = values.get("schedule_closed_weekdays")
    if closed is not None and len({str(d).strip().lower() for d in closed}) >= 7:
        errors["schedule_closed_weekdays"] = "At least one weekday must be open."
    return errors


def _decimal(raw: Any) -> Decimal | None:
    if isinstance(raw, bool) or raw is None:
        return None
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _check_limits(values: Mapping[str, Any], ceiling_mg_per_kg: Decimal, errors: dict[str, str]) -> None:
    for key in ("mg_per_kg", "max_mg_per_kg", "max_total_mg", "vial_mg_per_ml", "bag_volume_ml"):
        if key in values:
            number = _decimal(values[key])
            if number is None:
                errors[key] = "Enter a number."
            elif number <= 0:
                errors[key] = "Must be above 0."
    top = _decimal(values.get("max_mg_per_kg"))
    if top is not None and top > 0 and top > ceiling_mg_per_kg:
        errors["max_mg_per_kg"] = (f"The protocol's maximum of {top} mg/kg is above the clinic's hard ceiling of "
                                   f"{ceiling_mg_per_kg} mg/kg.")
    total = _decimal(values.get("max_total_mg"))
    if total is not None and total > MAX_TOTAL_MG_CEILING:
        errors["max_total_mg"] = f"A maximum total above {MAX_TOTAL_MG_CEILING} mg is not a sub-anaesthetic dose."
    for key in ("bp_every_min_infusing", "bp_every_min_recovering", "infusion_min", "n_infusions"):
        if key in values and (_decimal(values[key]) is None or Decimal(str(values[key])) <= 0):
            errors[key] = "Must be a whole number above 0."


def check_thresholds(table: Mapping[str, Any]) -> dict[str, str]:
    """Check each threshold is in its plausible range and the levels are ordered (pause >= start, stop <= warn)."""
    errors: dict[str, str] = {}
    numbers: dict[str, Decimal] = {}
    for key, raw in table.items():
        if key not in THRESHOLD_RANGES:
            errors[key] = "Unknown threshold."
            continue
        number = _decimal(raw)
        low, high, unit = THRESHOLD_RANGES[key]
        if number is None:
            errors[key] = "Enter a number."
        elif not low <= number <= high:
            errors[key] = f"Must be between {low} and {high} {unit}."
        else:
            numbers[key] = number
    for start, pause, what in (("sbp_do_not_start", "sbp_pause", "systolic"), ("dbp_do_not_start", "dbp_pause", "diastolic")):
        if start in numbers and pause in numbers and numbers[pause] < numbers[start]:
            errors[pause] = f"The {what} pause level cannot be below the {what} do-not-start level ({numbers[start]})."
    if "spo2_stop_below" in numbers and "spo2_warn_below" in numbers and numbers["spo2_stop_below"] > numbers["spo2_warn_below"]:
        errors["spo2_stop_below"] = f"The SpO2 stop level cannot be above the warning level ({numbers['spo2_warn_below']}%)."
    return errors


def check_protocol(values: Mapping[str, Any], *, ceiling_mg_per_kg: Decimal) -> dict[str, str]:
    """Check a whole protocol template: limits positive and ordered, thresholds plausible and ordered."""
    errors: dict[str, str] = {}
    _check_limits(values, ceiling_mg_per_kg, errors)
    dose, top = _decimal(values.get("mg_per_kg")), _decimal(values.get("max_mg_per_kg"))
    if dose is not None and top is not None and dose > 0 and top > 0 and dose > top and "mg_per_kg" not in errors:
        errors["mg_per_kg"] = f"The protocol dose of {dose} mg/kg is above the protocol's own maximum of {top} mg/kg."
    table = values.get("thresholds")
    if isinstance(table, Mapping):
        errors.update(check_thresholds(table))  # keyed as the threshold form's fields
    elif table is not None:
        errors["thresholds"] = "The thresholds must be a table of named values."
    return errors
