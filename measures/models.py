"""Questionnaire responses (assessments) scored by the kernel, imported item wording, patient links."""

from django.conf import settings
from django.db import models

from toolkit.scoping import ClinicManager

from .choices import Channel, LinkOrigin


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
    occurrence = models.PositiveSmallIntegerField(default=0, help_text="Infusion number for points before each infusion, else 0")
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


class InstrumentWording(models.Model):
    """Official item wording loaded from a clinic-supplied FHIR Questionnaire (ADR 0006).

    A row without a clinic applies to every clinic of the installation; a clinic's own row wins.
    """

    clinic = models.ForeignKey("accounts.Clinic", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    instrument = models.CharField(max_length=16)
    items = models.JSONField(help_text="Item id -> wording text")
    title = models.CharField(max_length=200, blank=True)
    questionnaire_url = models.CharField(max_length=300, blank=True)
    questionnaire_version = models.CharField(max_length=64, blank=True)
    copyright = models.TextField(blank=True)
    source_sha256 = models.CharField(max_length=64)
    imported_at = models.DateTimeField()
    imported_by = models.CharField(max_length=150, help_text="Username or 'command line'")

    objects = ClinicManager()

    class Meta:
        ordering = ["instrument"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "instrument"], name="wording_once_per_clinic"),
            models.UniqueConstraint(fields=["instrument"], condition=models.Q(clinic__isnull=True),
                                    name="wording_once_globally"),
        ]

    def __str__(self) -> str:
        return f"{self.instrument} wording ({self.clinic or 'all clinics'})"


class PatientLink(models.Model):
    """A signed, single-use, expiring link that shows a patient one questionnaire; only its hash is kept."""

    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="questionnaire_links")
    course = models.ForeignKey("courses.TreatmentCourse", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    instrument = models.CharField(max_length=16)
    point_key = models.CharField(max_length=32, blank=True)
    occurrence = models.PositiveSmallIntegerField(default=0)
    token_hash = models.CharField(max_length=64, unique=True)
    origin = models.CharField(max_length=16, choices=LinkOrigin.choices, default=LinkOrigin.STAFF)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    channels = models.CharField(max_length=32, blank=True, help_text="Channels it was sent by, e.g. 'email,sms'")
    sent_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    assessment = models.OneToOneField(Assessment, null=True, blank=True, on_delete=models.PROTECT, related_name="link")

    objects = ClinicManager()

    class Meta:
        ordering = ["-issued_at"]
        indexes = [models.Index(fields=["clinic", "used_at", "expires_at"])]
        constraints = [
            # The reminder run sends one link per item, however often cron runs it.
            models.UniqueConstraint(fields=["course", "point_key", "occurrence", "instrument"],
                                    condition=models.Q(origin=LinkOrigin.REMINDER), name="one_reminder_per_item"),
        ]

    def __str__(self) -> str:
        return f"{self.instrument} link · {self.patient} · expires {self.expires_at:%Y-%m-%d %H:%M}"

    def channel_list(self) -> list[str]:
        return [c for c in self.channels.split(",") if c in Channel.values]


class DueSlot(models.Model):
    """One assessment item of a course with its window, stored when the course's inputs change (ADR 0013).

    A read model of the kernel's `plan_slots`: its window and done time do not depend on the
    clock, so the due, overdue and upcoming lists are range queries on these rows; the status
    at a moment is worked out from the stored times. Only `measures.readmodel` writes it.
    """

    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.CASCADE, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="+")
    course = models.ForeignKey("courses.TreatmentCourse", on_delete=models.CASCADE, related_name="due_slots")
    position = models.PositiveSmallIntegerField(help_text="Order of the item in the course's schedule")
    point_key = models.CharField(max_length=32)
    label = models.TextField()
    instrument = models.CharField(max_length=16)
    occurrence = models.PositiveSmallIntegerField(default=0)
    opens_at = models.DateTimeField()
    due_by = models.DateTimeField()
    closes_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    followed_until = models.DateTimeField(null=True, blank=True,
                                          help_text="End of the course's follow-up horizon; empty while it is active")

    objects = ClinicManager()

    class Meta:
        ordering = ["due_by", "course", "position"]
        indexes = [
            models.Index(fields=["clinic", "opens_at"], condition=models.Q(done_at__isnull=True), name="dueslot_open_by_time"),
            models.Index(fields=["patient", "due_by"], name="dueslot_patient_due"),
        ]
        constraints = [models.UniqueConstraint(fields=["course", "position"], name="dueslot_once_per_position")]

    def __str__(self) -> str:
        return f"{self.instrument} {self.point_key}#{self.occurrence} due {self.due_by:%Y-%m-%d}"
