"""Scoped reads of the interop app: the monitor messages held in quarantine."""

from typing import Any

from django.db.models import QuerySet

from .choices import Hl7Status
from .models import Hl7Message


def quarantine(clinic: Any) -> QuerySet[Hl7Message]:
    """The clinic's messages waiting for a nurse, newest first."""
    return Hl7Message.objects.in_clinic(clinic).filter(status=Hl7Status.QUARANTINED).order_by("-received_at")
