"""Dashboard panel: active courses that still need infusions booked."""

from datetime import datetime

from django.db.models import Count, Q
from django.http import HttpRequest

from toolkit.dashboard import Panel

from .choices import NOT_HELD_STATES
from .defaults import planned_infusions
from .models import TreatmentCourse


def panels(request: HttpRequest, now: datetime) -> list[Panel]:
    active = (TreatmentCourse.objects.in_clinic(request.clinic).filter(status="active").select_related("patient")
              .annotate(booked=Count("sessions", filter=~Q(sessions__state__in=NOT_HELD_STATES))))
    to_book = [c for c in active if c.booked < planned_infusions(c.protocol_snapshot)][:10]
    return [Panel("courses/_dashboard.html", 25, {"to_book": to_book})] if to_book else []
