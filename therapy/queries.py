"""Scoped reads of the therapy app: a patient's integration sessions (the patient is already the clinic's)."""

from typing import Any

from django.db.models import QuerySet

from .models import IntegrationSession


def sessions_of(patient: Any) -> QuerySet[IntegrationSession]:
    """The patient's integration sessions with the infusions each relates to, newest first (the model's order)."""
    return patient.therapy_sessions.prefetch_related("infusions")
