"""Scoped reads of the courses app: a clinic's protocol templates and the courses still to book."""

from typing import Any

from django.db.models import Count, Q, QuerySet

from .choices import NOT_HELD_STATES
from .defaults import planned_infusions
from .models import Protocol, TreatmentCourse


def protocols_of(clinic: Any) -> QuerySet[Protocol]:
    """The clinic's protocol templates (the page and the API list the same rows)."""
    return Protocol.objects.in_clinic(clinic)


def courses_to_book(clinic: Any, limit: int = 10) -> list[TreatmentCourse]:
    """Active courses with fewer live bookings than their planned infusions (cancelled and no-shows free a slot)."""
    active = (TreatmentCourse.objects.in_clinic(clinic).filter(status="active").select_related("patient")
              .annotate(booked=Count("sessions", filter=~Q(sessions__state__in=NOT_HELD_STATES))))
    return [c for c in active if c.booked < planned_infusions(c.protocol_snapshot)][:limit]
