"""Vocabularies of the infusions app."""

from django.db import models

from clinical import session_flow as flow
from toolkit.vocab import kernel_choices

# The kernel's session states (it owns the transitions), plus the booking's own "cancelled" and "no show".
SessionState = kernel_choices("SessionState", flow.SessionState, {
    "scheduled": "Scheduled", "checked_in": "Checked in", "dose_verified": "Dose verified",
    "infusing": "Infusing", "paused": "Paused", "recovering": "Recovering", "discharged": "Discharged",
    "stopped_early": "Stopped early", "transferred": "Transferred to emergency care",
}, extra={"CANCELLED": ("cancelled", "Cancelled"), "NO_SHOW": ("no_show", "Did not attend")})

# Booked but never held: the chair and the course's slot are free again (scheduling, ADR 0008).
NOT_HELD = (SessionState.CANCELLED, SessionState.NO_SHOW)

# States of a session under way in the clinic, in the kernel's order.
IN_PROGRESS = tuple(SessionState(state.value) for state in flow.IN_CLINIC_STATES)


class ReadingSource(models.TextChoices):
    TYPED = "typed", "Typed in"
    DEVICE = "device", "Bedside monitor"


class Severity(models.TextChoices):
    MILD = "mild", "Mild"
    MODERATE = "moderate", "Moderate"
    SEVERE = "severe", "Severe"


class Relatedness(models.TextChoices):
    UNRELATED = "unrelated", "Not related"
    UNLIKELY = "unlikely", "Unlikely"
    POSSIBLE = "possible", "Possibly related"
    PROBABLE = "probable", "Probably related"
    DEFINITE = "definite", "Definitely related"


class AdverseAction(models.TextChoices):
    NONE = "none", "None"
    SLOWED = "slowed", "Infusion slowed"
    PAUSED = "paused", "Infusion paused"
    STOPPED = "stopped", "Infusion stopped"
    MEDICATION = "medication", "Medication given"
    TRANSFERRED = "transferred", "Transferred to emergency care"
    OTHER = "other", "Other (see description)"


class AdverseOutcome(models.TextChoices):
    RESOLVED = "resolved", "Resolved"
    RESOLVING = "resolving", "Resolving"
    NOT_RESOLVED = "not_resolved", "Not resolved"
    SEQUELAE = "resolved_with_sequelae", "Resolved with sequelae"
    FATAL = "fatal", "Fatal"
    UNKNOWN = "unknown", "Unknown"


class SideEffect(models.TextChoices):
    """The post-infusion side-effect checklist (the project's own short labels)."""

    NAUSEA = "nausea", "Nausea"
    VOMITING = "vomiting", "Vomiting"
    HEADACHE = "headache", "Headache"
    DIZZINESS = "dizziness", "Dizziness"
    BLURRED_VISION = "blurred_vision", "Blurred vision"
    DROWSINESS = "drowsiness", "Drowsiness"
    ANXIETY = "anxiety", "Anxiety or agitation"
    DISSOCIATION = "dissociation", "Distressing dissociation"
    ELEVATED_BP = "elevated_bp", "Raised blood pressure"
    PALPITATIONS = "palpitations", "Palpitations"
    NUMBNESS = "numbness", "Numbness or tingling"
    OTHER = "other", "Other (see note)"


class PregnancyTest(models.TextChoices):
    NEGATIVE = "negative", "Negative"
    POSITIVE = "positive", "Positive"
    NOT_DONE = "not_done", "Not done"
    NOT_APPLICABLE = "not_applicable", "Not applicable"
