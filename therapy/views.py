"""Integration therapy: record a session and read a patient's sessions."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.access import ClinicRequest
from accounts.pages import audit_read, page
from accounts.permissions import Perm
from patients.models import Patient
from toolkit.forms import submit

from . import services
from .forms import IntegrationForm
from .models import IntegrationSession


@page(Perm.RECORD_THERAPY, Patient, read="therapy_form_view")
def record(request: ClinicRequest, patient: Patient) -> HttpResponse:
    form = IntegrationForm(request.POST or None, patient=patient)

    def write(data: dict[str, Any]) -> object:
        values = {k: v for k, v in data.items() if k != "infusions"}
        return services.record_session(patient=patient, values=values, infusion_ids=[int(i) for i in data["infusions"]],
                                       by=request.user)

    saved = submit(request, form, write, done="Integration session recorded.",
                   then=lambda _: redirect("patients:chart", patient_id=patient.pk))
    return saved or render(request, "therapy/form.html", {"form": form, "patient": patient}, status=400 if form.errors else 200)


@page(Perm.VIEW_THERAPY, IntegrationSession)
def detail(request: HttpRequest, session: IntegrationSession) -> HttpResponse:
    audit_read(request, "therapy_view", patient=session.patient_id, obj=session)
    return render(request, "therapy/detail.html", {"s": session})
