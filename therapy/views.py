"""Integration therapy: record a session and read a patient's sessions."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.access import ClinicRequest
from accounts.pages import audit_read, page
from accounts.permissions import Perm
from patients.models import Patient
from toolkit.errors import ServiceError
from toolkit.forms import show_refusal

from . import services
from .forms import IntegrationForm
from .models import IntegrationSession


@page(Perm.RECORD_THERAPY, Patient)
def record(request: ClinicRequest, patient: Patient) -> HttpResponse:
    form = IntegrationForm(request.POST or None, patient=patient)
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "infusions"}
        try:
            services.record_session(patient=patient, values=values, infusion_ids=[int(i) for i in form.cleaned_data["infusions"]], by=request.user)
        except ServiceError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, "Integration session recorded.")
            return redirect("patients:chart", patient_id=patient.pk)
    elif request.method != "POST":
        audit_read(request, "therapy_form_view", patient=patient, obj=patient)
    return render(request, "therapy/form.html", {"form": form, "patient": patient}, status=400 if form.errors else 200)


@page(Perm.VIEW_THERAPY, IntegrationSession)
def detail(request: HttpRequest, session: IntegrationSession) -> HttpResponse:
    audit_read(request, "therapy_view", patient=session.patient_id, obj=session)
    return render(request, "therapy/detail.html", {"s": session})
