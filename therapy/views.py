"""Integration therapy: record a session and read a patient's sessions."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.access import ClinicRequest
from accounts.pages import audit_read, page
from accounts.permissions import Perm
from patients.models import Patient
from toolkit.errors import ServiceError
from toolkit.forms import passed_values, show_problems, show_refusal

from . import services
from .fields import FIELDS
from .forms import AmendForm, IntegrationForm
from .models import IntegrationSession


@page(Perm.RECORD_THERAPY, Patient, read="therapy_form_view")
def record(request: ClinicRequest, patient: Patient) -> HttpResponse:
    form = IntegrationForm(request.POST or None, patient=patient)
    if request.method == "POST" and not form.is_valid():
        show_problems(form, services.problems(patient=patient, values=passed_values(form),
                                              infusion_ids=[int(i) for i in passed_values(form).get("infusions", [])]))
    elif request.method == "POST":
        values = {k: v for k, v in form.cleaned_data.items() if k != "infusions"}
        try:
            services.record_session(patient=patient, values=values, infusion_ids=[int(i) for i in form.cleaned_data["infusions"]], by=request.user)
        except ServiceError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, "Integration session recorded.")
            return redirect("patients:chart", patient_id=patient.pk)
    return render(request, "therapy/form.html", {"form": form, "patient": patient}, status=400 if form.errors else 200)


@page(Perm.VIEW_THERAPY, IntegrationSession)
def detail(request: HttpRequest, session: IntegrationSession) -> HttpResponse:
    audit_read(request, "therapy_view", patient=session.patient_id, obj=session)
    history = list(session.amendments.select_related("amended_by"))
    return render(request, "therapy/detail.html", {
        "s": session, "history": [{"a": a, "changed": [LABELS.get(k, k) for k in a.after if a.after[k] != a.before.get(k)]}
                                  for a in history],
        "original": history[0].before if history else None,
    })


LABELS = {"held_on": "Date", "duration_min": "Minutes", "modality": "Modality", "timing": "Timing", "goals": "Goals",
          "note": "Note", "infusion_ids": "Linked infusions"}


@page(Perm.RECORD_THERAPY, IntegrationSession)
def amend(request: ClinicRequest, session: IntegrationSession) -> HttpResponse:
    """Amend a therapy note with a reason; the note as it was stays readable on its page."""
    initial = {f: getattr(session, f) for f in FIELDS} | {"infusions": [str(i.pk) for i in session.infusions.all()]}
    form = AmendForm(request.POST or None, patient=session.patient, initial=initial)
    if request.method == "POST" and not form.is_valid():
        show_problems(form, services.problems(patient=session.patient, values=passed_values(form),
                                              infusion_ids=[int(i) for i in passed_values(form).get("infusions", [])]))
    elif request.method == "POST":
        values = {k: v for k, v in form.cleaned_data.items() if k in FIELDS}
        try:
            services.amend_session(session=session, values=values, infusion_ids=[int(i) for i in form.cleaned_data["infusions"]],
                                   reason=form.cleaned_data["reason"], by=request.user)
        except ServiceError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, "Amendment saved; the note as it was stays in the record.")
            return redirect("therapy:detail", therapy_id=session.pk)
    elif request.method != "POST":
        audit_read(request, "therapy_amend_view", patient=session.patient_id, obj=session)
    return render(request, "therapy/form.html", {"form": form, "patient": session.patient, "amending": session},
                  status=400 if form.errors else 200)
