"""What the scheduling app adds to the patient chart: the bookings not yet held, with cancel, no-show and reschedule."""

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from accounts.access import can
from accounts.permissions import Perm
from infusions.choices import SessionState
from infusions.models import InfusionSession
from toolkit.dashboard import Panel


def panels(request: HttpRequest, patient: Any) -> list[Panel]:
    if not can(request, Perm.BOOK_SESSIONS):
        return []
    bookings = list(InfusionSession.objects.in_clinic(patient.clinic)
                    .filter(patient=patient, state=SessionState.SCHEDULED).select_related("chair").order_by("scheduled_start"))
    return [Panel("scheduling/_chart_bookings.html", 25, {"bookings": bookings, "now": timezone.now(),
                                                          "back": request.get_full_path()})]
