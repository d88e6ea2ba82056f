"""Questionnaire responses (assessments), scored by the kernel."""

from django.conf import settings
from django.db import models

from ketacare.scoping import ClinicManager


class AssessmentSource(models.TextChoices):
    STAFF = "staff", "Entered by staff"
    PATIENT_LINK = "patient_link", "Patient link"
    API = "api", "API"


class Assessment(models.Model):
    """One completed questionnaire: the item values as given and the kernel's scoring."""

    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="assessments")
    course = models.ForeignKey("courses.TreatmentCourse", null=True, blank=True, on_delete=models.PROTECT, related_name="assessments")
    instrument = models.CharField(max_length=16)
    point_key = models.CharField(max_length=32, blank=True, help_text="Which assessment point of the course")
    assessed_at = models.DateTimeField()
    items = models.JSONField(help_text="Item values in item order; null for missing")
    complete = models.BooleanField()
    total = models.IntegerField(null=True, blank=True)
    result = models.JSONField(help_text="The kernel's full scoring result")
    source = models.CharField(max_length=16, choices=AssessmentSource.choices, default=AssessmentSource.STAFF)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClinicManager()

    class Meta:
        ordering = ["assessed_at"]
        indexes = [models.Index(fields=["patient", "instrument", "assessed_at"])]

    def __str__(self) -> str:
        return f"{self.instrument} {self.total} · {self.assessed_at:%Y-%m-%d}"
