"""Alert rows and their outbox of deliveries (healthchecks' Flip + sendalerts: alerts are rows, sending is separate)."""

from django.conf import settings
from django.db import models

from clinical.chair_rules import needs_prescriber_review
from clinical.vitals import rule_label
from toolkit.constraints import one_of
from toolkit.scoping import ClinicManager

from .choices import AlertKind, AlertLevel, Channel, DeliveryStatus, Purpose, ReviewDecision


class Alert(models.Model):
    """A rule that fired; stays open until a clinician acknowledges it with the action taken."""

    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", null=True, blank=True, on_delete=models.PROTECT, related_name="alerts",
                                help_text="Empty for clinic-level alerts (a ledger discrepancy)")
    session = models.ForeignKey("infusions.InfusionSession", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="alerts")
    kind = models.CharField(max_length=24, choices=AlertKind.choices)
    level = models.CharField(max_length=16, choices=AlertLevel.choices)
    rule = models.CharField(max_length=64)
    value = models.CharField(max_length=32, blank=True)
    threshold = models.CharField(max_length=32, blank=True)
    message = models.CharField(max_length=300)
    source_type = models.CharField(max_length=64, blank=True)
    source_id = models.CharField(max_length=64, blank=True)
    raised_at = models.DateTimeField()
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    action_note = models.TextField(blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    objects = ClinicManager()

    class Meta:
        db_table = "infusions_alert"  # the table the alert rows were born in (moved from infusions, data kept)
        ordering = ["-raised_at"]
        indexes = [models.Index(fields=["clinic", "acknowledged_at"], name="infusions_a_clinic__a4de08_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} alert {self.pk} ({self.rule})"

    @property
    def rule_label(self) -> str:
        """The rule in words, for pages (never the raw id)."""
        return rule_label(self.rule)

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None

    @property
    def needs_review(self) -> bool:
        """Closed only by a prescriber's review (suicide risk, critical), never by an acknowledgement (ADR 0016)."""
        return needs_prescriber_review(self.kind, self.level)


class AlertDelivery(models.Model):
    """One message about one alert to one recipient by one channel, written with the alert; `send-alerts` sends it."""

    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="deliveries")
    purpose = models.CharField(max_length=16, choices=Purpose.choices, default=Purpose.RAISED)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    recipient = models.CharField(max_length=254, help_text="Email address, phone number, or the screen it shows on")
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True, help_text="No clinical detail (minimum necessary): where to look, not what")
    status = models.CharField(max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField(help_text="A pending row is due from then (a claimed row is leased until then)")
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = ClinicManager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        constraints = [
            models.UniqueConstraint(fields=["alert", "purpose", "channel", "recipient"], name="one_delivery_per_recipient"),
            models.CheckConstraint(condition=models.Q(status__in=DeliveryStatus.values), name="delivery_status_known"),
            models.CheckConstraint(condition=~models.Q(status=DeliveryStatus.SENT) | models.Q(sent_at__isnull=False),
                                   name="sent_delivery_has_sent_at"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} to {self.recipient} ({self.status})"


class AlertReview(models.Model):
    """A prescriber's review of an alert that blocks the chair: who, when, the decision and why (ADR 0016).

    Append-only: a later review (a held infusion allowed to proceed) is a new row.
    """

    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="reviews")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="alert_reviews")
    decision = models.CharField(max_length=16, choices=ReviewDecision.choices)
    reason = models.TextField()
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField()

    objects = ClinicManager()

    class Meta:
        ordering = ["reviewed_at", "pk"]
        constraints = [
            one_of("decision", ReviewDecision.values),
            models.CheckConstraint(condition=~models.Q(reason=""), name="alert_review_has_a_reason"),
            # An alert closes once: one "proceed" per alert (holds may repeat until then).
            models.UniqueConstraint(fields=["alert"], condition=models.Q(decision=ReviewDecision.PROCEED),
                                    name="one_proceed_review_per_alert"),
        ]

    def __str__(self) -> str:
        return f"Review of alert {self.alert_id}: {self.decision}"
