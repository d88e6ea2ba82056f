"""The `--clinic SLUG` option the infusions commands share: default the only clinic."""

from typing import Any

from django.core.management.base import CommandError

from accounts.models import Clinic


def clinic_from(slug: str | None) -> Any:
    """Return the clinic named by its slug, or the only clinic when none is named."""
    if slug:
        found = Clinic.objects.filter(slug=slug).first()
        if found is None:
            raise CommandError(f"No clinic with the slug {slug!r}.")
        return found
    clinics = list(Clinic.objects.order_by("pk")[:2])
    if len(clinics) != 1:
        raise CommandError("Name the clinic with --clinic SLUG (there is not exactly one clinic).")
    return clinics[0]
