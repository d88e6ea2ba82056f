"""Staff pages: enter a questionnaire, send a patient link, a patient's measures, due list, alerts, wording."""

import json
import zoneinfo
from datetime import UTC, datetime
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.choices import CLINICAL_ROLES, Role
from alerts.models import Alert
from alerts.queries import open_risk_alerts, source_alert
from alerts.services import ACK_ROLES, acknowledge_alert
from audit import services as audit
from clinical.errors import ClinicalError
from clinical.instruments import INSTRUMENTS, get_instrument, parse_items
from courses.defaults import planned_infusions
from ketacare.access import allow
from ketacare.errors import ServiceError
from ketacare.scoping import get_in_clinic
from patients.models import Patient

from . import progress, queries, services
from .choices import PATIENT_REPORTED, SUICIDE_RISK, short_name
from .delivery import link_url
from .forms import AcknowledgeForm, EntryForm, LinkForm, WordingForm, point_choices, split_point
from .models import Assessment
from .questionnaire import item_views, parse_answers, values_by_id

R = Role
CARE = (R.PRESCRIBER, R.NURSE, R.THERAPIST)
READERS = tuple(CLINICAL_ROLES)


def _viewed(request: HttpRequest, action: str, patient: Any = None, obj: Any = None) -> None:
    with transaction.atomic():
        audit.record(action=action, by=request.user, clinic=request.clinic, patient=patient, obj=obj)  # type: ignore[attr-defined]


def _patient(request: HttpRequest, patient_id: int) -> Patient:
    return get_in_clinic(Patient, request.clinic, pk=patient_id)  # type: ignore[attr-defined]


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


@allow(*CARE)
def enter(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = _patient(request, patient_id)
    instrument = _instrument_or_none(request)
    if instrument is None:
        _viewed(request, "assessment_entry_view", patient)
        status = 400 if request.method == "POST" else 200
        return render(request, "measures/enter_choose.html", {
            "patient": patient, "instruments": INSTRUMENTS.values(), "status": status,
            "due": [i for i in queries.patient_schedule(patient, datetime.now(UTC)) if i.slot.is_open],
        }, status=status)
    course, choices = _points(patient, instrument.id)
    tz = request.clinic.time_zone  # type: ignore[attr-defined]
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
        _viewed(request, "assessment_entry_view", patient)
    wording = queries.wording_for(request.clinic, instrument.id)  # type: ignore[attr-defined]
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
        messages.error(request, "Suicide-risk answer: a critical alert was raised. Act on it now and acknowledge it.")
    else:
        messages.success(request, f"{short_name(instrument_id)} saved.")
    return saved


@allow(*services.LINK_ROLES)
def issue_link(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = _patient(request, patient_id)
    instrument = _instrument_or_none(request)
    if instrument is None or instrument.id not in PATIENT_REPORTED:
        _viewed(request, "link_form_view", patient)
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
            form.add_error(None, exc.message)
        else:
            issued = {"link": link, "url": link_url(token)}
            sent = " and ".join(link.channel_list()) or "no message; copy it below"
            messages.success(request, f"Link to {short_name(instrument.id)} issued ({sent}).")
    elif request.method != "POST":
        _viewed(request, "link_form_view", patient)
    return render(request, "measures/link.html", {
        "patient": patient, "instrument": instrument, "short": short_name(instrument.id), "form": form,
        "issued": issued,
    }, status=400 if form.errors else 200)


@allow(*CARE)
def patient_measures(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = _patient(request, patient_id)
    _viewed(request, "measures_view", patient)
    return render(request, "measures/patient.html", {
        "patient": patient, "courses": progress.patient_progress(patient),
        "assessments": list(queries.assessments_of(patient).order_by("-assessed_at")),
        "schedule": queries.patient_schedule(patient, datetime.now(UTC)), "links": queries.links_of(patient)[:20],
        "alerts": open_risk_alerts(request.clinic, patient),  # type: ignore[attr-defined]
    })


@allow(*CARE)
def assessment_detail(request: HttpRequest, assessment_id: int) -> HttpResponse:
    a = get_in_clinic(Assessment, request.clinic, pk=assessment_id)  # type: ignore[attr-defined]
    _viewed(request, "assessment_view", a.patient, a)
    instrument = get_instrument(a.instrument)
    wording = queries.wording_for(request.clinic, a.instrument)  # type: ignore[attr-defined]
    items = item_views(instrument, wording.items if wording else None, values_by_id(instrument, a.items))
    return render(request, "measures/assessment.html", {
        "a": a, "instrument": instrument, "short": short_name(a.instrument), "items": items,
        "subscales": a.result.get("subscales", {}), "alert": source_alert(request.clinic, a),  # type: ignore[attr-defined]
    })


@allow(*READERS)
def due_list(request: HttpRequest) -> HttpResponse:
    items = queries.due_items(request.clinic, datetime.now(UTC))  # type: ignore[attr-defined]
    with transaction.atomic():
        audit.record(action="due_list_view", by=request.user, clinic=request.clinic,  # type: ignore[attr-defined]
                     detail={"count": len(items)})
    return render(request, "measures/due.html", {"items": items})


@allow(*ACK_ROLES)
def acknowledge(request: HttpRequest, alert_id: int) -> HttpResponse:
    alert = get_in_clinic(Alert, request.clinic, pk=alert_id)  # type: ignore[attr-defined]
    if alert.kind != SUICIDE_RISK:
        raise Http404("No such suicide-risk alert in this clinic.")
    form = AcknowledgeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and alert.is_open and form.is_valid():
        try:
            acknowledge_alert(alert=alert, action_note=form.cleaned_data["action_note"], by=request.user)
        except ServiceError as exc:
            form.add_error("action_note" if "action_note" in exc.field_errors else None, exc.message)
        else:
            messages.success(request, "Alert acknowledged; the action is recorded.")
            return redirect("patients:chart", patient_id=alert.patient_id)
    elif request.method != "POST":
        _viewed(request, "alert_view", alert.patient, alert)
    source = (Assessment.objects.in_clinic(request.clinic).filter(pk=alert.source_id).first()  # type: ignore[attr-defined]
              if alert.source_id.isdigit() else None)
    return render(request, "measures/acknowledge.html", {"alert": alert, "form": form, "assessment": source},
                  status=400 if form.errors or (request.method == "POST" and not alert.is_open) else 200)


@allow(R.CLINIC_ADMIN)
def instruments(request: HttpRequest) -> HttpResponse:
    choices = [(i.id, i.name) for i in INSTRUMENTS.values()]
    form = WordingForm(request.POST or None, request.FILES or None, instruments=choices)
    if request.method == "POST" and form.is_valid():
        raw = form.cleaned_data["file"].read(5_000_001)
        try:
            if len(raw) > 5_000_000:
                raise ServiceError("The file is larger than 5 MB; is this a Questionnaire?")
            try:
                data = json.loads(raw)
            except (UnicodeDecodeError, json.JSONDecodeError):
                raise ServiceError("The file is not JSON; nothing was imported.") from None
            row = services.import_wording(data=data, raw=raw, instrument_id=form.cleaned_data["instrument"] or None,
                                          clinic=request.clinic, by=request.user)  # type: ignore[attr-defined]
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Wording for {short_name(row.instrument)} imported ({len(row.items)} items).")
            return redirect("measures:instruments")
    rows = [(i, queries.wording_for(request.clinic, i.id)) for i in INSTRUMENTS.values()]  # type: ignore[attr-defined]
    return render(request, "measures/instruments.html", {"rows": rows, "form": form},
                  status=400 if form.errors else 200)
