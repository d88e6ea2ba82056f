"""Patient list, registration, intake history, eligibility screening and the patient chart."""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.access import ClinicRequest, allow
from accounts.pages import audit_read, page
from accounts.permissions import Perm
from clinical.errors import ClinicalError
from toolkit import chart
from toolkit.errors import ServiceError
from toolkit.forms import passed_values, show_problems, show_refusal

from . import queries, services
from .choices import IntakeKind
from .forms import AllergyForm, MedicationForm, PatientForm, PriorTreatmentForm, TraumaForm, amend_form_class
from .models import Allergy, CurrentMedication, Patient, PriorTreatment, TraumaEvent
from .policy import eligibility_policy


@allow(Perm.VIEW_PATIENTS)
def patient_list(request: ClinicRequest) -> HttpResponse:
    text = request.GET.get("q", "")[:100]
    page = Paginator(queries.with_stage(queries.search(request.clinic, text)), 25).get_page(request.GET.get("page"))
    rows = [{"p": p, "stage": queries.stage_of(p)} for p in page.object_list]
    audit_read(request, "patient_list_view", q=text, count=len(rows))
    template = "patients/_rows.html" if request.headers.get("HX-Request") else "patients/list.html"
    return render(request, template, {"rows": rows, "page": page, "q": text})


@allow(Perm.REGISTER_PATIENTS)
def patient_create(request: ClinicRequest) -> HttpResponse:
    form = PatientForm(request.POST or None)
    if request.method == "POST" and not form.is_valid():
        show_problems(form, services.detail_problems(passed_values(form)))
    elif request.method == "POST":
        try:
            patient = services.register_patient(clinic=request.clinic, values=form.cleaned_data, by=request.user)
        except ServiceError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, f"{patient.full_name} registered.")
            return redirect("patients:intake", patient_id=patient.pk)
    return render(request, "patients/form.html", {"form": form, "title": "Register a patient"}, status=400 if form.errors else 200)


@page(Perm.REGISTER_PATIENTS, Patient, read="patient_edit_view")
def patient_edit(request: ClinicRequest, patient: Patient) -> HttpResponse:
    initial = {f: getattr(patient, f) for f in services.PATIENT_FIELDS}
    form = PatientForm(request.POST or None, initial=initial)
    if request.method == "POST" and not form.is_valid():
        show_problems(form, services.detail_problems(passed_values(form)))
    elif request.method == "POST":
        try:
            services.update_patient(patient=patient, values=form.cleaned_data, by=request.user)
        except ServiceError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, "Details saved.")
            return redirect("patients:chart", patient_id=patient.pk)
    return render(request, "patients/form.html", {"form": form, "patient": patient, "title": f"Edit {patient.full_name}"},
                  status=400 if form.errors else 200)



INTAKE_FORMS = {
    "trauma": (TraumaForm, services.add_trauma_event, "Trauma history added."),
    "treatment": (PriorTreatmentForm, services.add_prior_treatment, "Prior treatment added."),
    "medication": (MedicationForm, services.add_current_medication, "Current medication added."),
    "allergy": (AllergyForm, services.add_allergy, "Allergy added."),
}


@page(Perm.TAKE_HISTORY, Patient, read="intake_view")
def intake(request: ClinicRequest, patient: Patient) -> HttpResponse:
    forms = {key: cls(prefix=key) for key, (cls, _, _) in INTAKE_FORMS.items()}
    status = 200
    which = request.POST.get("form") if request.method == "POST" else None
    if which is not None:
        if which not in INTAKE_FORMS:
            messages.error(request, "Unknown form; nothing was saved.")
            status = 400
        else:
            cls, service, done = INTAKE_FORMS[which]
            form = forms[which] = cls(request.POST, prefix=which)
            if not form.is_valid():
                show_problems(form, services.intake_problems(patient=patient, kind=which, values=passed_values(form)))
            else:
                try:
                    service(patient=patient, values=form.cleaned_data, by=request.user)
                except ServiceError as exc:
                    show_refusal(form, exc)
                else:
                    messages.success(request, done)
                    return redirect("patients:intake", patient_id=patient.pk)
            status = 400
    return render(request, "patients/intake.html", {"patient": patient, "forms": forms,
                                                    "amended": queries.amended_rows(patient)}, status=status)


def _amend(request: ClinicRequest, found: Any, kind: str) -> HttpResponse:
    """Amend one intake row with a reason; the page shows every earlier version, the original first."""
    patient = found.patient
    cls = amend_form_class(kind)
    initial = {name: getattr(found, name) for name in cls.base_fields if name != "reason"}
    form = cls(request.POST or None, initial=initial, prefix="amend")
    if request.method == "POST" and not form.is_valid():
        show_problems(form, services.intake_problems(patient=patient, kind=kind, values=passed_values(form)))
    elif request.method == "POST":
        values = {k: v for k, v in form.cleaned_data.items() if k != "reason"}
        try:
            services.amend_intake_row(patient=patient, kind=kind, row_id=found.pk, values=values,
                                      reason=form.cleaned_data["reason"], by=request.user)
        except ServiceError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, "Amendment saved; the earlier values stay in the record.")
            return redirect("patients:intake", patient_id=patient.pk)
    else:
        audit_read(request, "intake_row_view", patient=patient, obj=found, detail={"kind": kind})
    history = list(queries.amendments_of(patient, kind, found.pk))
    labels = {name: str(field.label or name.replace("_", " ").capitalize()) for name, field in cls.base_fields.items()}
    return render(request, "patients/intake_amend.html", {
        "patient": patient, "form": form, "kind_label": IntakeKind(kind).label, "row": found,
        "history": [{"a": a, "changes": [(labels.get(k, k), a.before.get(k), v) for k, v in a.after.items()
                                         if a.before.get(k) != v]} for a in history],
        "original": [(labels.get(k, k), v) for k, v in history[0].before.items()] if history else [],
    }, status=400 if form.errors else 200)


@page(Perm.TAKE_HISTORY, TraumaEvent, select=["patient__clinic"])
def amend_trauma(request: ClinicRequest, row: TraumaEvent) -> HttpResponse:
    return _amend(request, row, IntakeKind.TRAUMA)


@page(Perm.TAKE_HISTORY, PriorTreatment, select=["patient__clinic"])
def amend_treatment(request: ClinicRequest, row: PriorTreatment) -> HttpResponse:
    return _amend(request, row, IntakeKind.TREATMENT)


@page(Perm.TAKE_HISTORY, CurrentMedication, select=["patient__clinic"])
def amend_medication(request: ClinicRequest, row: CurrentMedication) -> HttpResponse:
    return _amend(request, row, IntakeKind.MEDICATION)


@page(Perm.TAKE_HISTORY, Allergy, select=["patient__clinic"])
def amend_allergy(request: ClinicRequest, row: Allergy) -> HttpResponse:
    return _amend(request, row, IntakeKind.ALLERGY)


@page(Perm.SCREEN_ELIGIBILITY, Patient, read="screening_view")
def screen(request: ClinicRequest, patient: Patient) -> HttpResponse:
    try:
        policy = eligibility_policy(request.clinic)
    except ClinicalError as exc:  # settings saved before they were checked as a whole (ADR 0017): say so, never 500
        return render(request, "patients/screen_unavailable.html", {"patient": patient, "problem": str(exc)}, status=409)
    items = [{"c": c, "absolute": True} for c in policy.absolute] + [{"c": c, "absolute": False} for c in policy.relative]
    chosen = request.POST.getlist("contraindication") if request.method == "POST" else []
    justifications = {i["c"].code: request.POST.get(f"justify_{i['c'].code}", "")[:2000] for i in items if not i["absolute"]}
    error, field_errors, status = None, {}, 200
    if request.method == "POST":
        sign = request.POST.get("action") == "sign"
        try:
            screening = services.screen_patient(patient=patient, contraindications=chosen, justifications=justifications,
                                                sign=sign, by=request.user)
        except ServiceError as exc:
            error, field_errors, status = exc.message, exc.field_errors, 400
        else:
            messages.success(request, f"Screening {'signed' if sign else 'saved'}: {screening.get_outcome_display()}.")
            return redirect("patients:chart", patient_id=patient.pk)
    try:
        preview = services.evaluate_screening(patient=patient, contraindications=chosen, justifications=justifications)
    except ClinicalError:  # unknown codes were refused above with a message
        preview = None
    for i in items:
        i["checked"] = i["c"].code in chosen
        i["justification"] = justifications.get(i["c"].code, "")
        i["error"] = field_errors.get(f"justify_{i['c'].code}")
    return render(request, "patients/screen.html", {
        "patient": patient, "items": items, "preview": preview, "error": error,
        "treatments": patient.prior_treatments.all(), "policy": policy,
        "history": patient.screenings.select_related("screened_by", "signed_by")[:10],
    }, status=status)


@page(Perm.VIEW_PATIENTS, Patient)
def patient_chart(request: HttpRequest, patient: Patient) -> HttpResponse:
    audit_read(request, "chart_view", patient=patient, obj=patient)
    panels = chart.panels(request, patient)
    return render(request, "patients/chart.html", {
        "patient": patient,
        "stage": queries.stage_of(patient),
        "screening": patient.screenings.first(),
        "top_panels": [p for p in panels if p.order <= 0],
        "panels": [p for p in panels if p.order > 0],
        "timeline": chart.timeline(patient)[:60],
    })
