"""Infusion chairs; a booked infusion is an `infusions.InfusionSession` in state "scheduled" (ADR 0008).

Also nurse shifts (a weekly pattern plus dated exceptions), the nurse a booking is planned with,
patients' weekly availability and the waiting list (issue 12).
"""

from django.conf import settings
from django.db import models

from toolkit.scoping import ClinicManager

from .choices import WEEKDAY_CHOICES


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


class NurseShift(models.Model):
    """A nurse works this weekday from starts to ends (clinic local time), every week."""

    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    nurse = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="shifts")
    weekday = models.PositiveSmallIntegerField(choices=WEEKDAY_CHOICES)
    starts = models.TimeField()
    ends = models.TimeField()
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClinicManager()

    class Meta:
        ordering = ["nurse_id", "weekday", "starts"]


class ShiftException(models.Model):
    """On one date the nurse's weekly shifts give way to this one (or to a day off when starts is empty)."""

    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    nurse = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="shift_exceptions")
    on = models.DateField()
    starts = models.TimeField(null=True, blank=True)
    ends = models.TimeField(null=True, blank=True)
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClinicManager()

    class Meta:
        ordering = ["on", "nurse_id"]
        constraints = [models.UniqueConstraint(fields=["nurse", "on"], name="one_shift_exception_per_nurse_day")]


class PatientAvailability(models.Model):
    """A weekly window in which the patient can come for an infusion (clinic local time)."""

    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="availability")
    weekday = models.PositiveSmallIntegerField(choices=WEEKDAY_CHOICES)
    starts = models.TimeField()
    ends = models.TimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClinicManager()

    class Meta:
        ordering = ["weekday", "starts"]


class WaitingListEntry(models.Model):
    """A course waiting for an earlier slot; a cancellation offers its slot to the entries that fit."""

    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    course = models.ForeignKey("courses.TreatmentCourse", on_delete=models.PROTECT, related_name="waiting")
    added_at = models.DateTimeField()
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=200, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = ClinicManager()

    class Meta:
        ordering = ["added_at"]


class SessionPlan(models.Model):
    """The nurse a booked session is planned with, and whether the booking is confirmed (kept by a re-plan)."""

    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    session = models.OneToOneField("infusions.InfusionSession", on_delete=models.PROTECT, related_name="plan")
    nurse = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    confirmed = models.BooleanField(default=False)
    planned_at = models.DateTimeField()

    objects = ClinicManager()
