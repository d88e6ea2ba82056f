"""Inbound HL7 v2 messages: the idempotency key of the monitor feed and the quarantine."""

from django.conf import settings
from django.db import models

from toolkit.scoping import ClinicManager

from .choices import Hl7Status


class Hl7Message(models.Model):
    """One inbound ORU^R01, keyed by sender and MSH-10 so a resend files nothing twice.

    The raw text is kept only while a message waits in quarantine (and after a
    nurse assigns it), never for messages filed straight away.
    """

    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    sending_application = models.CharField(max_length=180)
    sending_facility = models.CharField(max_length=180)
    control_id = models.CharField(max_length=199)
    received_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Hl7Status.choices)
    error = models.CharField(max_length=300, blank=True)
    patient_ref = models.CharField(max_length=64, blank=True, help_text="PID-3 as sent (quarantine review only)")
    location = models.CharField(max_length=120, blank=True, help_text="PV1-3 as sent")
    session = models.ForeignKey("infusions.InfusionSession", null=True, blank=True, on_delete=models.PROTECT, related_name="hl7_messages")
    reading_count = models.PositiveIntegerField(default=0)
    raw = models.TextField(blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(blank=True)

    objects = ClinicManager()

    class Meta:
        ordering = ["-received_at"]
        constraints = [models.UniqueConstraint(
            fields=["clinic", "sending_application", "sending_facility", "control_id"], name="hl7_control_id_once_per_sender")]
        indexes = [models.Index(fields=["clinic", "status"], name="infusions_h_clinic__1a161e_idx")]
        db_table = "infusions_hl7message"  # the rows moved apps, not tables (migration 0001)


class Hl7Sender(models.Model):
    """A sender the clinic accepts monitor messages from: MSH-3 and MSH-4, optionally the addresses it connects from.

    MSH-3 matches as sent, or by its first component when the registration has none (so
    `KETACARE_SIM` covers `KETACARE_SIM^0000000000000001^EUI-64`); MSH-4 likewise. Blank
    `source_addresses` accepts any address; otherwise a comma-separated list of addresses and
    networks (`10.0.4.12, 10.0.5.0/24`). Messages of anyone else get AE and are counted (`Hl7Refusal`).
    """

    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    sending_application = models.CharField(max_length=180)
    sending_facility = models.CharField(max_length=180)
    source_addresses = models.CharField(max_length=500, blank=True)
    note = models.CharField(max_length=200, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField()

    objects = ClinicManager()

    class Meta:
        ordering = ["sending_application", "sending_facility"]
        constraints = [models.UniqueConstraint(fields=["clinic", "sending_application", "sending_facility"],
                                               name="hl7_sender_once_per_clinic")]


class Hl7Refusal(models.Model):
    """How many messages were refused from one sender and address, and why: counted, never stored."""

    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    sending_application = models.CharField(max_length=180)
    sending_facility = models.CharField(max_length=180)
    source_addr = models.CharField(max_length=64, blank=True)
    reason = models.CharField(max_length=24)  # see interop.hl7.senders.REASONS
    count = models.PositiveBigIntegerField(default=0)
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()

    objects = ClinicManager()

    class Meta:
        ordering = ["-last_at"]
        constraints = [models.UniqueConstraint(
            fields=["clinic", "sending_application", "sending_facility", "source_addr", "reason"],
            name="hl7_refusal_one_counter")]
