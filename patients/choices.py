"""Vocabularies of the patients app."""

from django.db import models


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Unknown"


class TraumaKind(models.TextChoices):
    COMBAT = "combat", "Combat or military"
    ASSAULT = "assault", "Physical or sexual assault"
    ACCIDENT = "accident", "Accident"
    DISASTER = "disaster", "Disaster"
    CHILDHOOD = "childhood", "Childhood abuse or neglect"
    LOSS = "loss", "Sudden loss"
    OTHER = "other", "Other"


class TreatmentKind(models.TextChoices):
    PSYCHOTHERAPY = "psychotherapy", "Psychotherapy"
    MEDICATION = "medication", "Medication"


class TreatmentOutcome(models.TextChoices):
    NONE = "none", "No response"
    PARTIAL = "partial", "Partial response"
    RESPONSE = "response", "Response"
    REMISSION = "remission", "Remission"
    INTOLERANCE = "intolerance", "Stopped: not tolerated"
    UNKNOWN = "unknown", "Unknown"


class PtsdDiagnosis(models.TextChoices):
    """ICD-10-CM codes for PTSD (CLINICAL.md section 5)."""

    F43_10 = "F43.10", "F43.10 PTSD, unspecified"
    F43_11 = "F43.11", "F43.11 PTSD, acute"
    F43_12 = "F43.12", "F43.12 PTSD, chronic"
    NONE = "", "Not confirmed"


class ScreeningOutcome(models.TextChoices):
    ELIGIBLE = "eligible", "Eligible"
    NEEDS_REVIEW = "needs_review", "Needs review"
    INELIGIBLE = "ineligible", "Ineligible"


PSYCHOTHERAPIES = ["CPT", "PE", "EMDR", "CBT", "Written exposure therapy", "Other"]
