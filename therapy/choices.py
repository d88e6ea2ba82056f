"""Vocabularies of the therapy app."""

from django.db import models


class Modality(models.TextChoices):
    INDIVIDUAL = "individual", "Individual integration"
    GROUP = "group", "Group integration"
    CPT = "cpt", "Cognitive processing therapy"
    PE = "pe", "Prolonged exposure"
    EMDR = "emdr", "EMDR"
    OTHER = "other", "Other"


class Timing(models.TextChoices):
    PREPARATION = "preparation", "Preparation (before infusions)"
    INTEGRATION = "integration", "Integration (after an infusion)"
    FOLLOW_UP = "follow_up", "Follow-up"
