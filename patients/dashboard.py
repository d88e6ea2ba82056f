"""Dashboard panel: patients waiting for the next step of intake."""

from datetime import datetime

from django.db.models import Exists, OuterRef
from django.http import HttpRequest

from toolkit.dashboard import Panel

from .models import EligibilityScreening, Patient


def panels(request: HttpRequest, now: datetime) -> list[Panel]:
    patients = Patient.objects.in_clinic(request.clinic)
    signed = EligibilityScreening.objects.filter(patient=OuterRef("pk"), signed_at__isnull=False)
    eligible = EligibilityScreening.objects.filter(patient=OuterRef("pk"), signed_at__isnull=False, outcome="eligible")
    to_screen = patients.filter(~Exists(signed))[:10]
    to_order = patients.filter(Exists(eligible), courses__isnull=True)[:10]  # `courses`: the reverse of TreatmentCourse.patient
    return [Panel("patients/_dashboard.html", 30, {"to_screen": to_screen, "to_order": to_order})]
