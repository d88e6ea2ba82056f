"""Infusion chairs; a booked infusion is an `infusions.InfusionSession` in state "scheduled" (ADR 0008)."""

from django.db import models

from ketacare.scoping import ClinicManager


class Chair(models.Model):
    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="chairs")
    name = models.CharField(max_length=40)
    location_code = models.CharField(max_length=40, blank=True, help_text="PV1-3 point of care sent by the bedside monitor")
    active = models.BooleanField(default=True)

    objects = ClinicManager()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["clinic", "name"], name="chair_name_unique_per_clinic")]

    def __str__(self) -> str:
        return self.name
