"""Integration therapy sessions linked to the infusions they prepare or follow."""

from django.conf import settings
from django.db import models

from toolkit.scoping import ClinicManager

from .choices import Modality, Timing


class IntegrationSession(models.Model):
    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="therapy_sessions")
    course = models.ForeignKey("courses.TreatmentCourse", null=True, blank=True, on_delete=models.PROTECT, related_name="therapy_sessions")
    therapist = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField()
    duration_min = models.PositiveSmallIntegerField(default=50)
    modality = models.CharField(max_length=16, choices=Modality.choices)
    timing = models.CharField(max_length=16, choices=Timing.choices, default=Timing.INTEGRATION)
    infusions = models.ManyToManyField("infusions.InfusionSession", blank=True, related_name="therapy_sessions")
    goals = models.TextField(blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClinicManager()

    class Meta:
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return f"{self.get_modality_display()} · {self.held_on}"


class TherapyAmendment(models.Model):
    """One amendment of an integration session's record: before and after, why, by whom; never updated or deleted.

    The session holds the current values; the first amendment's `before` is the original note (ADR 0017).
    """

    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    session = models.ForeignKey(IntegrationSession, on_delete=models.PROTECT, related_name="amendments")
    before = models.JSONField()
    after = models.JSONField()
    reason = models.TextField()
    amended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    amended_at = models.DateTimeField()

    objects = ClinicManager()

    class Meta:
        ordering = ["amended_at", "pk"]
