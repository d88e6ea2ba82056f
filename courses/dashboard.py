"""Dashboard panel: active courses that still need infusions booked."""

from datetime import datetime

from django.db.models import Count, F, IntegerField, Q, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce
from django.http import HttpRequest

from toolkit.dashboard import Panel

from .choices import NOT_HELD_STATES
from .defaults import N_INFUSIONS
from .models import TreatmentCourse

ROWS = 10


def panels(request: HttpRequest, now: datetime) -> list[Panel]:
    """The first ROWS active courses with fewer infusions booked than planned, found in the database."""
    planned = Coalesce(Cast(KT("protocol_snapshot__n_infusions"), IntegerField()), Value(N_INFUSIONS))
    active = (TreatmentCourse.objects.in_clinic(request.clinic).filter(status="active").select_related("patient")
              .annotate(booked=Count("sessions", filter=~Q(sessions__state__in=NOT_HELD_STATES)), planned=planned)
              .filter(booked__lt=F("planned")).order_by("-ordered_at", "pk"))
    to_book = list(active[:ROWS])
    return [Panel("courses/_dashboard.html", 25, {"to_book": to_book})] if to_book else []
