"""Patient list, registration, intake history, eligibility screening and the patient chart."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.permissions import Perm
from clinical.errors import ClinicalError
from ketacare import chart
from ketacare.access import ClinicRequest, allow
from ketacare.errors import ServiceError
from ketacare.forms import show_refusal
from ketacare.pages import audit_read, page

from . import queries, services
from .forms import MedicationForm, PatientForm, PriorTreatmentForm, TraumaForm
from .models import Patient
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
    if request.method == "POST" and form.is_valid():
        try:
            patient = services.register_patient(clinic=request.clinic, values=form.cleaned_data, by=request.user)
        except ServiceError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, f"{patient.full_name} registered.")
            return redirect("patients:intake", patient_id=patient.pk)
    return render(request, "patients/form.html", {"form": form, "title": "Register a patient"}, status=400 if form.errors else 200)


@page(Perm.REGISTER_PATIENTS, Patient)
def patient_edit(request: ClinicRequest, patient: Patient) -> HttpResponse:
    initial = {f: getattr(patient, f) for f in services.PATIENT_FIELDS}
    form = PatientForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_patient(patient=patient, values=form.cleaned_data, by=request.user)
        except ServiceError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, "Details saved.")
            return redirect("patients:chart", patient_id=patient.pk)
    elif request.method != "POST":
        audit_read(request, "patient_edit_view", patient=patient, obj=patient)
    return render(request, "patients/form.html", {"form": form, "patient": patient, "title": f"Edit {patient.full_name}"},
                  status=400 if form.errors else 200)



INTAKE_FORMS = {
    "trauma": (TraumaForm, services.add_trauma_event, "Trauma history added."),
    "treatment": (PriorTreatmentForm, services.add_prior_treatment, "Prior treatment added."),
    "medication": (MedicationForm, services.add_current_medication, "Current medication added."),
}


@page(Perm.TAKE_HISTORY, Patient)
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
            if form.is_valid():
                try:
                    service(patient=patient, values=form.cleaned_data, by=request.user)
                except ServiceError as exc:
                    show_refusal(form, exc)
                else:
                    messages.success(request, done)
                    return redirect("patients:intake", patient_id=patient.pk)
            status = 400
    else:
        audit_read(request, "intake_view", patient=patient, obj=patient)
    return render(request, "patients/intake.html", {"patient": patient, "forms": forms}, status=status)


@page(Perm.SCREEN_ELIGIBILITY, Patient)
def screen(request: ClinicRequest, patient: Patient) -> HttpResponse:
    policy = eligibility_policy(request.clinic)
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
    else:
        audit_read(request, "screening_view", patient=patient, obj=patient)
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
