"""Small builders shared by the mappers: references, instants, codings, quantities."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ..codes import UCUM


def ref(resource_type: str, pk: Any, display: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"reference": f"{resource_type}/{pk}"}
    if display:
        out["display"] = display
    return out


def instant(at: datetime | None) -> str | None:
    return None if at is None else at.isoformat()


def day(on: date | None) -> str | None:
    return None if on is None else on.isoformat()


def coding(system: str, code: str, display: str | None = None) -> dict[str, str]:
    out = {"system": system, "code": code}
    if display:
        out["display"] = display
    return out


def concept(system: str, code: str, display: str | None = None, text: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"coding": [coding(system, code, display)]}
    if text:
        out["text"] = text
    return out


def number(value: Any) -> int | float:
    """A JSON number from an int or a Decimal (kept exact as far as a float shows it)."""
    if isinstance(value, int):
        return value
    d = Decimal(str(value))
    return int(d) if d == d.to_integral_value() and "." not in str(value) else float(d)


def quantity(value: Any, unit: str, code: str | None = None) -> dict[str, Any]:
    return {"value": number(value), "unit": unit, "system": UCUM, "code": code or unit}


def meta(last_updated: datetime | None, *profiles: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if last_updated is not None:
        out["lastUpdated"] = last_updated.isoformat()
    if profiles:
        out["profile"] = list(profiles)
    return out


def prune(data: dict[str, Any]) -> dict[str, Any]:
    """Drop keys whose value is None or empty, so FHIR never sees an empty element."""
    return {k: v for k, v in data.items() if v not in (None, "", [], {})}
