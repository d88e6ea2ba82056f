"""Scoped reads of the patients app."""

from typing import Any

from django.db.models import Q, QuerySet

from .choices import IntakeKind
from .models import Allergy, CurrentMedication, IntakeAmendment, Patient, PriorTreatment, TraumaEvent

INTAKE_MODELS: dict[str, type[Any]] = {
    IntakeKind.TRAUMA: TraumaEvent, IntakeKind.TREATMENT: PriorTreatment,
    IntakeKind.MEDICATION: CurrentMedication, IntakeKind.ALLERGY: Allergy,
}


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


def amendments_of(patient: Patient, kind: str, row_id: int) -> QuerySet[IntakeAmendment]:
    """Every amendment of one intake row, oldest first (the first one's `before` is the original)."""
    return patient.intake_amendments.filter(kind=kind, row_id=row_id).select_related("amended_by")


def amended_rows(patient: Patient) -> set[str]:
    """The patient's intake rows that were amended, as "kind:id" (what the intake page marks)."""
    return {f"{kind}:{row_id}" for kind, row_id in patient.intake_amendments.values_list("kind", "row_id")}
