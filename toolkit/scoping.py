"""Clinic scoping for every read: one queryset method, one 404 helper."""

from collections.abc import Iterable
from typing import Any, TypeVar, cast

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.http import Http404

M = TypeVar("M", bound=models.Model)


class ClinicQuerySet(models.QuerySet[M]):
    """A queryset of rows that carry their clinic."""

    def in_clinic(self, clinic: Any) -> "ClinicQuerySet[M]":
        """Keep only rows of `clinic`; no clinic means nothing."""
        if clinic is None:
            return self.none()
        return self.filter(clinic=clinic)


ClinicManager = models.Manager.from_queryset(ClinicQuerySet)


def get_in_clinic(model: type[M], clinic: Any, *, select: Iterable[str] = (), **lookup: Any) -> M:
    """Fetch one row of the clinic (with its `select` relations, in one query) or raise 404 (also for other clinics)."""
    rows = cast("ClinicQuerySet[M]", model._default_manager.all()).in_clinic(clinic)
    try:
        return rows.select_related(*select).get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404(f"No such {model._meta.verbose_name} in this clinic.") from None
