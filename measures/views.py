"""Staff pages: enter a questionnaire, send a patient link, a patient's measures, due list, alerts, wording."""

import zoneinfo
from datetime import UTC, datetime
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.access import ClinicRequest, allow
from accounts.pages import audit_read, page
from accounts.permissions import Perm
from alerts.forms import ReviewForm
from alerts.models import Alert
from alerts.queries import last_review, open_risk_alerts, source_alert
from alerts.services import review_alert
from clinical.errors import ClinicalError
from clinical.instruments import INSTRUMENTS, get_instrument, parse_items
from courses.defaults import planned_infusions
from patients.models import Patient
from toolkit.errors import ServiceError
from toolkit.forms import show_refusal

from . import progress, queries, services
from .choices import PATIENT_REPORTED, SUICIDE_RISK, short_name
from .delivery import link_url
from .forms import EntryForm, LinkForm, point_choices, split_point
from .models import Assessment
from .questionnaire import item_views, parse_answers, values_by_id


def _instrument_or_none(request: HttpRequest) -> Any:
    wanted = request.POST.get("instrument") or request.GET.get("instrument") or ""
    return INSTRUMENTS.get(wanted)


def _points(patient: Patient, instrument_id: str) -> tuple[Any, list[tuple[str, str]]]:
    course = queries.current_course(patient)
    if course is None:
        return None, [("", "Not tied to an assessment point")]
    n = planned_infusions(course.protocol_snapshot)
    return course, point_choices(queries.course_points(course), instrument_id, n)


def _initial_point(request: HttpRequest) -> str:
    key = request.GET.get("point", "")
    return f"{key}:{request.GET.get('occurrence', '0')}" if key else ""


@page(Perm.RECORD_QUESTIONNAIRES, Patient)
def enter(request: ClinicRequest, patient: Patient) -> HttpResponse:
    instrument = _instrument_or_none(request)
    if instrument is None:
        audit_read(request, "assessment_entry_view", patient=patient)
        status = 400 if request.method == "POST" else 200
        return render(request, "measures/enter_choose.html", {
            "patient": patient, "instruments": INSTRUMENTS.values(), "status": status,
            "due": [i for i in queries.patient_schedule(patient, datetime.now(UTC)) if i.slot.is_open],
        }, status=status)
    course, choices = _points(patient, instrument.id)
    tz = request.clinic.time_zone
    now_local = timezone.localtime(datetime.now(UTC), zoneinfo.ZoneInfo(tz)).strftime("%Y-%m-%dT%H:%M")
    form = EntryForm(request.POST or None, choices=choices, tz=tz,
                     initial={"assessed_at": now_local, "point": _initial_point(request)})
    values: dict[str, int | None] = {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        answers, errors = parse_answers(instrument, request.POST)
        values = values_by_id(instrument, answers)
        if form.is_valid() and not errors:
            saved = _record(request, form, patient, course, instrument.id, answers)
            if saved is not None:
                return redirect("measures:assessment", assessment_id=saved.pk)
    else:
        audit_read(request, "assessment_entry_view", patient=patient)
    wording = queries.wording_for(request.clinic, instrument.id)
    return render(request, "measures/enter.html", {
        "patient": patient, "instrument": instrument, "short": short_name(instrument.id), "form": form,
        "items": item_views(instrument, wording.items if wording else None, values, errors),
        "wording": wording, "item_errors": errors,
    }, status=400 if request.method == "POST" else 200)


def _record(request: HttpRequest, form: EntryForm, patient: Patient, course: Any, instrument_id: str,
            answers: list[int | None]) -> Assessment | None:
    quick = form.cleaned_data["quick"].strip()
    try:
        if quick:
            if any(a is not None for a in answers):
                raise ServiceError("Use either the answer buttons or the typed list, not both.", {"quick": "Both given."})
            answers = list(parse_items(quick))
        key, occurrence = split_point(form.cleaned_data["point"])
        saved = services.record_assessment(
            patient=patient, instrument=instrument_id, items=answers, assessed_at=form.cleaned_data["assessed_at"],
            course=course, point_key=key, occurrence=occurrence, by=request.user)
    except (ServiceError, ClinicalError) as exc:
        message = exc.message if isinstance(exc, ServiceError) else str(exc)
        form.add_error("quick" if quick else None, message)
        return None
    if SUICIDE_RISK in saved.result["flags"]:
        messages.error(request, "Suicide-risk answer: a critical alert was raised. Act on it now; a prescriber reviews it before the next infusion.")
    else:
        messages.success(request, f"{short_name(instrument_id)} saved.")
    return saved


@page(Perm.SEND_QUESTIONNAIRE_LINKS, Patient)
def issue_link(request: HttpRequest, patient: Patient) -> HttpResponse:
    instrument = _instrument_or_none(request)
    if instrument is None or instrument.id not in PATIENT_REPORTED:
        audit_read(request, "link_form_view", patient=patient)
        return render(request, "measures/link_choose.html", {
            "patient": patient, "instruments": [INSTRUMENTS[i] for i in PATIENT_REPORTED],
            "links": queries.links_of(patient)[:20],
        }, status=400 if request.method == "POST" else 200)
    course, choices = _points(patient, instrument.id)
    form = LinkForm(request.POST or None, choices=choices, initial={"point": _initial_point(request)})
    issued = None
    if request.method == "POST" and form.is_valid():
        key, occurrence = split_point(form.cleaned_data["point"])
        try:
            link, token = services.issue_link(patient=patient, instrument=instrument.id, course=course, point_key=key,
                                              occurrence=occurrence, channels=form.cleaned_data["channels"],
                                              by=request.user)
        except ServiceError as exc:
            show_refusal(form, exc)
        else:
            issued = {"link": link, "url": link_url(token)}
            sent = " and ".join(link.channel_list()) or "no message; copy it below"
            messages.success(request, f"Link to {short_name(instrument.id)} issued ({sent}).")
    elif request.method != "POST":
        audit_read(request, "link_form_view", patient=patient)
    return render(request, "measures/link.html", {
        "patient": patient, "instrument": instrument, "short": short_name(instrument.id), "form": form,
        "issued": issued,
    }, status=400 if form.errors else 200)


@page(Perm.VIEW_QUESTIONNAIRES, Patient)
def patient_measures(request: ClinicRequest, patient: Patient) -> HttpResponse:
    audit_read(request, "measures_view", patient=patient)
    return render(request, "measures/patient.html", {
        "patient": patient, "courses": progress.patient_progress(patient),
        "assessments": list(queries.assessments_of(patient).order_by("-assessed_at")),
        "schedule": queries.patient_schedule(patient, datetime.now(UTC)), "links": queries.links_of(patient)[:20],
        "alerts": open_risk_alerts(request.clinic, patient),
    })


@page(Perm.VIEW_QUESTIONNAIRES, Assessment)
def assessment_detail(request: ClinicRequest, a: Assessment) -> HttpResponse:
    audit_read(request, "assessment_view", patient=a.patient, obj=a)
    instrument = get_instrument(a.instrument)
    wording = queries.wording_for(request.clinic, a.instrument)
    items = item_views(instrument, wording.items if wording else None, values_by_id(instrument, a.items))
    return render(request, "measures/assessment.html", {
        "a": a, "instrument": instrument, "short": short_name(a.instrument), "items": items,
        "subscales": a.result.get("subscales", {}), "alert": source_alert(request.clinic, a),
    })


@allow(Perm.VIEW_PATIENTS)
def due_list(request: ClinicRequest) -> HttpResponse:
    items = queries.due_items(request.clinic, datetime.now(UTC))
    audit_read(request, "due_list_view", count=len(items))
    return render(request, "measures/due.html", {"items": items})


@page(Perm.ACKNOWLEDGE_ALERTS, Alert)
def acknowledge(request: ClinicRequest, alert: Alert) -> HttpResponse:
    """A suicide-risk alert: a prescriber reviews it and records the decision (ADR 0016); others see who must."""
    if alert.kind != SUICIDE_RISK:
        raise Http404("No such suicide-risk alert in this clinic.")
    form = ReviewForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and alert.is_open and form.is_valid():
        try:
            review = review_alert(alert=alert, decision=form.cleaned_data["decision"], reason=form.cleaned_data["reason"],
                                  by=request.user)
        except ServiceError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, "Review recorded: " + review.get_decision_display() + ".")
            return redirect("patients:chart", patient_id=alert.patient_id)
    elif request.method != "POST":
        audit_read(request, "alert_view", patient=alert.patient, obj=alert)
    source = (Assessment.objects.in_clinic(request.clinic).filter(pk=alert.source_id).first()
              if alert.source_id.isdigit() else None)
    context = {"alert": alert, "form": form, "assessment": source, "review": last_review(alert)}
    return render(request, "measures/acknowledge.html", context,
                  status=400 if form.errors or (request.method == "POST" and not alert.is_open) else 200)
