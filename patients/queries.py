"""Scoped reads of the patients app."""

from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery

from .choices import IntakeKind
from .models import (
    Allergy,
    CurrentMedication,
    EligibilityScreening,
    IntakeAmendment,
    Patient,
    PriorTreatment,
    TraumaEvent,
)

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


COURSE_STAGE = {"active": "in course", "completed": "finished", "stopped": "stopped"}


def with_stage(rows: QuerySet[Patient]) -> QuerySet[Patient]:
    """Annotate each patient with what `stage_of` reads, in the one query of the list (no query per row)."""
    courses = Patient._meta.get_field("courses").related_model  # the reverse relation: no import of the app above
    screenings = EligibilityScreening.objects.filter(patient=OuterRef("pk"))
    return rows.annotate(
        latest_course_status=Subquery(courses.objects.filter(patient=OuterRef("pk"))
                                      .order_by("-ordered_at").values("status")[:1]),
        signed_outcome=Subquery(screenings.filter(signed_at__isnull=False).order_by("-screened_at").values("outcome")[:1]),
        any_outcome=Subquery(screenings.order_by("-screened_at").values("outcome")[:1]),
    )


def stage_of(patient: Patient) -> str:
    """A short status for lists: screening, eligible, ineligible, in course, finished."""
    if hasattr(patient, "latest_course_status"):  # annotated by with_stage
        status = patient.latest_course_status
        outcome = patient.signed_outcome or patient.any_outcome
    else:
        course = patient.courses.order_by("-ordered_at").first()
        status = course.status if course is not None else None
        screening = patient.screenings.filter(signed_at__isnull=False).first() or patient.screenings.first()
        outcome = screening.outcome if screening is not None else None
    if status is not None:
        return COURSE_STAGE[status]
    return "screening" if outcome is None else outcome.replace("_", " ")


def amendments_of(patient: Patient, kind: str, row_id: int) -> QuerySet[IntakeAmendment]:
    """Every amendment of one intake row, oldest first (the first one's `before` is the original)."""
    return patient.intake_amendments.filter(kind=kind, row_id=row_id).select_related("amended_by")


def amended_rows(patient: Patient) -> set[str]:
    """The patient's intake rows that were amended, as "kind:id" (what the intake page marks)."""
    return {f"{kind}:{row_id}" for kind, row_id in patient.intake_amendments.values_list("kind", "row_id")}
