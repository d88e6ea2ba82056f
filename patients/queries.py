"""Scoped reads of the patients app."""

from typing import Any

from django.db.models import Q, QuerySet

from .models import Patient


def search(clinic: Any, text: str = "") -> QuerySet[Patient]:
    """Patients of the clinic whose MRN or name contains `text`."""
    rows = Patient.objects.in_clinic(clinic)
    for word in text.split()[:4]:
        rows = rows.filter(Q(mrn__icontains=word) | Q(given_name__icontains=word) | Q(family_name__icontains=word))
    return rows.order_by("family_name", "given_name")


def stage_of(patient: Patient) -> str:
    """A short status for lists: screening, eligible, ineligible, in course, finished."""
    course = patient.courses.order_by("-ordered_at").first()
    if course is not None:
        return {"active": "in course", "completed": "finished", "stopped": "stopped"}[course.status]
    screening = patient.screenings.filter(signed_at__isnull=False).first() or patient.screenings.first()
    if screening is None:
        return "screening"
    return screening.outcome.replace("_", " ")
