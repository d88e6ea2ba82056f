"""Vocabularies of the infusions app."""

from django.db import models


class SessionState(models.TextChoices):
    """Mirrors clinical.session_flow states (the kernel owns the transitions)."""

    SCHEDULED = "scheduled", "Scheduled"
    CHECKED_IN = "checked_in", "Checked in"
    DOSE_VERIFIED = "dose_verified", "Dose verified"
    INFUSING = "infusing", "Infusing"
    PAUSED = "paused", "Paused"
    RECOVERING = "recovering", "Recovering"
    DISCHARGED = "discharged", "Discharged"
    STOPPED_EARLY = "stopped_early", "Stopped early"
    TRANSFERRED = "transferred", "Transferred to emergency care"
    CANCELLED = "cancelled", "Cancelled"


IN_PROGRESS = (SessionState.CHECKED_IN, SessionState.DOSE_VERIFIED, SessionState.INFUSING,
               SessionState.PAUSED, SessionState.RECOVERING)


class ReadingSource(models.TextChoices):
    TYPED = "typed", "Typed in"
    DEVICE = "device", "Bedside monitor"


class AlertKind(models.TextChoices):
    VITAL = "vital", "Vital sign"
    OVERDUE = "overdue", "Reading overdue"
    SUICIDE_RISK = "suicide_risk", "Suicide risk"
    ADVERSE_EVENT = "adverse_event", "Serious adverse event"
    REVIEW = "review", "Prescriber review"


class AlertLevel(models.TextChoices):
    WARN = "warn", "Warning"
    DO_NOT_START = "do_not_start", "Do not start"
    PAUSE = "pause", "Pause"
    STOP = "stop", "Stop"
    CRITICAL = "critical", "Critical"
