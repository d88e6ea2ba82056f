"""Patients, their trauma and treatment history, and eligibility screenings."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from toolkit.constraints import above_zero, one_of
from toolkit.scoping import ClinicManager

from .choices import (
    AllergySeverity,
    IntakeKind,
    PtsdDiagnosis,
    ScreeningOutcome,
    Sex,
    TraumaKind,
    TreatmentKind,
    TreatmentOutcome,
)


class Patient(models.Model):
    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="patients")
    mrn = models.CharField("MRN", max_length=32)
    given_name = models.CharField(max_length=80)
    family_name = models.CharField(max_length=80)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=16, choices=Sex.choices)
    height_cm = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    weight_kg = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    email = models.EmailField(blank=True)
    escort_name = models.CharField(max_length=120, blank=True)
    escort_phone = models.CharField(max_length=32, blank=True)
    diagnosis_code = models.CharField(max_length=8, choices=PtsdDiagnosis.choices, blank=True)
    referral_source = models.CharField(max_length=120, blank=True)
    medical_history = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClinicManager()

    class Meta:
        ordering = ["family_name", "given_name"]
        constraints = [
            # One MRN per clinic whatever its case: "mrn-1" and "MRN-1" are the same patient's number.
            models.UniqueConstraint("clinic", Lower("mrn"), name="mrn_unique_per_clinic_any_case"),
            above_zero("height_cm", nullable=True), above_zero("weight_kg", nullable=True),
            one_of("sex", Sex.values), one_of("diagnosis_code", PtsdDiagnosis.values, blank=True),
        ]

    def __str__(self) -> str:
        return f"{self.family_name}, {self.given_name} ({self.mrn})"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


class PatientChild(models.Model):
    """A row that belongs to a patient (and so to the patient's clinic)."""

    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClinicManager()

    class Meta:
        abstract = True


class TraumaEvent(PatientChild):
    kind = models.CharField(max_length=16, choices=TraumaKind.choices)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["year"]
        default_related_name = "trauma_events"


class PriorTreatment(PatientChild):
    """A psychotherapy or medication trial before the program."""

    kind = models.CharField(max_length=16, choices=TreatmentKind.choices)
    name = models.CharField(max_length=80, help_text="e.g. CPT, PE, EMDR, sertraline")
    dose = models.CharField(max_length=80, blank=True, help_text="Medication dose, e.g. 200 mg/day")
    weeks = models.PositiveSmallIntegerField(null=True, blank=True)
    adequate = models.BooleanField(default=False, help_text="An adequate dose and duration (or full therapy course)")
    outcome = models.CharField(max_length=16, choices=TreatmentOutcome.choices, default=TreatmentOutcome.UNKNOWN)

    class Meta:
        ordering = ["created_at"]
        default_related_name = "prior_treatments"


class CurrentMedication(PatientChild):
    name = models.CharField(max_length=80)
    dose = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["name"]
        default_related_name = "current_medications"


class Allergy(PatientChild):
    """A drug (or other substance) the patient reacts to, recorded at intake (FHIR AllergyIntolerance)."""

    substance = models.CharField("Drug or substance", max_length=80)
    reaction = models.CharField(max_length=200, blank=True, help_text="What happened, e.g. hives, anaphylaxis")
    severity = models.CharField(max_length=16, choices=AllergySeverity.choices, default=AllergySeverity.UNKNOWN)

    class Meta:
        ordering = ["substance"]
        default_related_name = "allergies"
        constraints = [one_of("severity", AllergySeverity.values)]


class IntakeAmendment(PatientChild):
    """One amendment of an intake row: the values before and after, why, by whom; never updated or deleted.

    The row itself holds the current values; the first amendment's `before` is the original (ADR 0017).
    """

    kind = models.CharField(max_length=16, choices=IntakeKind.choices)
    row_id = models.PositiveBigIntegerField()
    before = models.JSONField()
    after = models.JSONField()
    reason = models.TextField()
    amended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    amended_at = models.DateTimeField()

    class Meta:
        ordering = ["amended_at", "pk"]
        default_related_name = "intake_amendments"
        indexes = [models.Index(fields=["kind", "row_id"], name="intake_amendment_row")]
        constraints = [one_of("kind", IntakeKind.values)]


class EligibilityScreening(PatientChild):
    """A screening checklist result and the prescriber's signature."""

    diagnosis_code = models.CharField(max_length=8, blank=True)
    contraindications = models.JSONField(default=list, blank=True)
    justifications = models.JSONField(default=dict, blank=True)
    failed_trials = models.PositiveSmallIntegerField(default=0)
    outcome = models.CharField(max_length=16, choices=ScreeningOutcome.choices)
    reasons = models.JSONField(default=list, blank=True)
    policy = models.JSONField(default=dict, blank=True, help_text="The policy values in force for this decision")
    screened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    screened_at = models.DateTimeField()
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-screened_at"]
        default_related_name = "screenings"
        constraints = [one_of("outcome", ScreeningOutcome.values)]

    @property
    def signed(self) -> bool:
        return self.signed_at is not None
