"""Vocabularies of the alerts app, derived from the kernel's enums where the kernel has them."""

from django.db import models

from clinical.chair_rules import ReviewDecision as KernelDecision
from clinical.instruments import Flag
from clinical.vitals import AlertLevel as KernelLevel

# The kernel's chairside levels, each with its label; a level the kernel adds without a label here fails at import.
_KERNEL_LEVEL_LABELS = {"warn": "Warning", "do_not_start": "Do not start", "pause": "Pause", "stop": "Stop"}

AlertLevel = models.TextChoices(  # type: ignore[call-overload,misc]  # built from the kernel's levels
    "AlertLevel",
    [(level.name, (level.value, _KERNEL_LEVEL_LABELS[level.value])) for level in KernelLevel]
    + [("CRITICAL", ("critical", "Critical"))],  # clinical alerts (suicide risk, serious AE) outrank every vital level
)


class AlertKind(models.TextChoices):
    VITAL = "vital", "Vital sign"
    OVERDUE = "overdue", "Reading overdue"
    SUICIDE_RISK = Flag.SUICIDE_RISK.value, "Suicide risk"
    ADVERSE_EVENT = "adverse_event", "Serious adverse event"
    LEDGER_DISCREPANCY = "ledger_discrepancy", "Ledger discrepancy"
    REVIEW = "review", "Prescriber review"


# How the open-alerts list orders levels (most urgent first).
SEVERITY = {"critical": 0, "stop": 1, "pause": 2, "do_not_start": 3, "warn": 4}


class Channel(models.TextChoices):
    SCREEN = "screen", "On screen"
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class Purpose(models.TextChoices):
    """Why a delivery was queued: the alert itself, or its escalation."""

    RAISED = "raised", "Alert raised"
    ESCALATION = "escalation", "Escalation"


class ReviewDecision(models.TextChoices):
    """A prescriber's decision on an alert before the chair (kernel: clinical.chair_rules; ADR 0016)."""

    PROCEED = KernelDecision.PROCEED.value, "Proceed: infusions may go ahead"
    HOLD = KernelDecision.HOLD.value, "Hold: no infusion until reviewed again"
