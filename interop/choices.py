"""Choices of the interop app."""

from django.db import models


class Hl7Status(models.TextChoices):
    FILED = "filed", "Filed"
    QUARANTINED = "quarantined", "In quarantine"
    ASSIGNED = "assigned", "Assigned by a nurse"
    DISMISSED = "dismissed", "Dismissed"
