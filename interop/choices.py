"""Choices of the interop app."""

from django.db import models


class Hl7Status(models.TextChoices):
    FILED = "filed", "Filed"
    QUARANTINED = "quarantined", "In quarantine"
    ASSIGNED = "assigned", "Assigned by a nurse"
    DISMISSED = "dismissed", "Dismissed"
    HELD = "held", "Held for a nurse"  # matched a session, but timed before its check-in or in the future
    ACCEPTED = "accepted", "Accepted by a nurse"  # a held message a nurse filed
    REJECTED = "rejected", "Rejected by a nurse"
