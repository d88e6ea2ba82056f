"""Database constraints for invariants no bug above may break (issue 8, item 8).

Each helper returns a named CheckConstraint, so the database itself refuses a
bad row even when a write bypasses the services. Names carry the app and
model (Django fills ``%(app_label)s`` and ``%(class)s``), so they stay unique.
"""

from collections.abc import Iterable

from django.db import models
from django.db.models import Q


def _name(field: str, rule: str) -> str:
    return f"%(app_label)s_%(class)s_{field}_{rule}"


def at_least_zero(field: str, *, nullable: bool = False) -> models.CheckConstraint:
    """Refuse a negative quantity (NULL allowed when the field is nullable)."""
    rule = Q(**{f"{field}__gte": 0})
    return models.CheckConstraint(condition=rule | Q(**{f"{field}__isnull": True}) if nullable else rule,
                                  name=_name(field, "not_negative"))


def above_zero(field: str, *, nullable: bool = False) -> models.CheckConstraint:
    """Refuse a zero or negative quantity (a weight, a strength, an interval)."""
    rule = Q(**{f"{field}__gt": 0})
    return models.CheckConstraint(condition=rule | Q(**{f"{field}__isnull": True}) if nullable else rule,
                                  name=_name(field, "above_zero"))


def one_of(field: str, values: Iterable[str], *, blank: bool = False) -> models.CheckConstraint:
    """Refuse a value outside the field's vocabulary (the empty string too, unless ``blank``)."""
    allowed = [str(v) for v in values] + ([""] if blank else [])
    return models.CheckConstraint(condition=Q(**{f"{field}__in": sorted(set(allowed))}), name=_name(field, "known"))
