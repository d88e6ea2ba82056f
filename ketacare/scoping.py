"""Clinic scoping for every read: one queryset method, one 404 helper."""

from collections.abc import Iterable
from typing import Any, TypeVar

from django.db import models
from django.http import Http404

M = TypeVar("M", bound=models.Model)


class ClinicQuerySet(models.QuerySet):
    """A queryset of rows that carry their clinic."""

    def in_clinic(self, clinic: Any) -> "ClinicQuerySet":
        """Keep only rows of `clinic`; no clinic means nothing."""
        if clinic is None:
            return self.none()
        return self.filter(clinic=clinic)


ClinicManager = models.Manager.from_queryset(ClinicQuerySet)


def get_in_clinic(model: type[M], clinic: Any, *, select: Iterable[str] = (), **lookup: Any) -> M:
    """Fetch one row of the clinic (with its `select` relations, in one query) or raise 404 (also for other clinics)."""
    rows = model.objects.in_clinic(clinic)  # type: ignore[attr-defined]
    try:
        return rows.select_related(*select).get(**lookup)  # type: ignore[no-any-return]
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404(f"No such {model._meta.verbose_name} in this clinic.") from None
