"""Vocabularies of the patients app."""

from django.db import models

from clinical import dosing, eligibility
from toolkit.vocab import kernel_choices

Sex = kernel_choices("Sex", dosing.Sex, {"female": "Female", "male": "Male", "other": "Other", "unknown": "Unknown"})


class TraumaKind(models.TextChoices):
    COMBAT = "combat", "Combat or military"
    ASSAULT = "assault", "Physical or sexual assault"
    ACCIDENT = "accident", "Accident"
    DISASTER = "disaster", "Disaster"
    CHILDHOOD = "childhood", "Childhood abuse or neglect"
    LOSS = "loss", "Sudden loss"
    OTHER = "other", "Other"


# A prior treatment trial, as the eligibility checklist reads it (CLINICAL.md section 5).
TreatmentKind = kernel_choices("TreatmentKind", eligibility.TrialKind,
                               {"psychotherapy": "Psychotherapy", "medication": "Medication"})

TreatmentOutcome = kernel_choices("TreatmentOutcome", eligibility.TrialOutcome, {
    "none": "No response", "partial": "Partial response", "response": "Response", "remission": "Remission",
    "intolerance": "Stopped: not tolerated", "unknown": "Unknown",
})


class PtsdDiagnosis(models.TextChoices):
    """ICD-10-CM codes for PTSD (CLINICAL.md section 5)."""

    F43_10 = "F43.10", "F43.10 PTSD, unspecified"
    F43_11 = "F43.11", "F43.11 PTSD, acute"
    F43_12 = "F43.12", "F43.12 PTSD, chronic"
    NONE = "", "Not confirmed"


ScreeningOutcome = kernel_choices("ScreeningOutcome", eligibility.ScreeningOutcome,
                                  {"eligible": "Eligible", "needs_review": "Needs review", "ineligible": "Ineligible"})


PSYCHOTHERAPIES = ["CPT", "PE", "EMDR", "CBT", "Written exposure therapy", "Other"]


class AllergySeverity(models.TextChoices):
    """The worst reaction seen (FHIR AllergyIntolerance.reaction.severity)."""

    MILD = "mild", "Mild"
    MODERATE = "moderate", "Moderate"
    SEVERE = "severe", "Severe (e.g. anaphylaxis)"
    UNKNOWN = "unknown", "Not known"


class IntakeKind(models.TextChoices):
    """The intake rows that can be amended."""

    TRAUMA = "trauma", "Trauma history"
    TREATMENT = "treatment", "Prior treatment"
    MEDICATION = "medication", "Current medication"
    ALLERGY = "allergy", "Allergy"
