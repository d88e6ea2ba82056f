"""Pages of the steps with their own form: check-in, dose override and verification, CADSS, adverse events,
discharge, and the signatures."""

from datetime import UTC, datetime
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.permissions import Perm
from clinical.discharge import SCALES
from toolkit.errors import ServiceError
from toolkit.forms import show_refusal

from . import services
from .forms import (
    AdverseEventForm,
    BaselineForm,
    CadssForm,
    CheckInForm,
    DischargeForm,
    ReasonForm,
    VerifyForm,
)
from .models import InfusionSession
from .policy import discharge_policy, discharge_score_kind
from .queries import vitals_of
from .services.checkin import pregnancy_test_required
from .services.gate import alert_blockers
from .views import posted, rerender, screen_context, session_page


def _step(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return render(request, f"infusions/{template}", context, status=status)


@session_page(Perm.CHECK_IN, read="session_view")
def check_in(request: HttpRequest, session: InfusionSession) -> HttpResponse:
    due = services.due_assessments(session)
    patient = session.patient
    initial = {"weight_kg": patient.weight_kg or "", "escort_name": patient.escort_name, "escort_phone": patient.escort_phone,
               "pregnancy_test": "negative" if pregnancy_test_required(session) else "not_applicable"}
    form = CheckInForm(posted(request), due=due, initial=initial)
    baseline = BaselineForm(posted(request), prefix="baseline")
    if request.method == "POST":
        try:
            if not (form.is_valid() and baseline.is_valid()):
                raise ServiceError("Check the marked fields; nothing was saved.")
            values = {k: v for k, v in form.cleaned_data.items() if not k.startswith("waive_")}
            services.check_in(session=session, baseline=baseline.cleaned_data, waivers=form.waivers(), by=request.user, **values)
        except ServiceError as exc:
            show_refusal(form, exc, baseline, top=False)
            messages.error(request, exc.message)
        else:
            messages.success(request, "Checked in. The dose is planned: a second clinician verifies it.")
            return redirect("infusions:session", session_id=session.pk)
    context = {"session": session, "form": form, "baseline": baseline, "due": due, "blockers": alert_blockers(session)}
    return _step(request, "check_in.html", context, status=400 if form.errors or baseline.errors else 200)


@session_page(Perm.OVERRIDE_SAFETY_LIMITS, methods=("POST",))
def override_dose(request: HttpRequest, session: InfusionSession) -> HttpResponse:
    form = ReasonForm(request.POST)
    try:
        form.is_valid()
        services.override_dose(session=session, reason=form.cleaned_data.get("reason", ""), by=request.user)
    except ServiceError as exc:
        return rerender(request, session, exc, reason_form=form)
    messages.success(request, "Dose override recorded; a second clinician verifies the dose.")
    return redirect("infusions:session", session_id=session.pk)


@session_page(Perm.VERIFY_DOSE, read="session_view")
def verify(request: HttpRequest, session: InfusionSession) -> HttpResponse:
    form = VerifyForm(posted(request))
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise ServiceError("Type both figures, your username and your password.")
            services.verify_dose(session=session, by=request.user, **form.cleaned_data)
        except ServiceError as exc:
            show_refusal(form, exc, top=False)
            messages.error(request, exc.message)
        else:
            messages.success(request, "Dose verified independently. The infusion may start.")
            return redirect("infusions:session", session_id=session.pk)
    return _step(request, "verify.html", {"session": session, "form": form, "inputs": session.dose.get("inputs", {})},
                 status=400 if form.errors else 200)


@session_page(Perm.RECORD_SIDE_EFFECTS, read="session_view")
def cadss(request: HttpRequest, session: InfusionSession) -> HttpResponse:
    form = CadssForm(posted(request))
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise ServiceError("Choose a value from the list for each item.")
            services.record_cadss(session=session, answers=form.answers(),
                                  incomplete_reason=form.cleaned_data["incomplete_reason"], by=request.user)
        except ServiceError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, "CADSS recorded.")
            return redirect("infusions:session", session_id=session.pk)
    return _step(request, "cadss.html", {"session": session, "form": form}, status=400 if form.errors else 200)


@session_page(Perm.RECORD_ADVERSE_EVENTS, read="session_view")
def adverse_event(request: HttpRequest, session: InfusionSession) -> HttpResponse:
    form = AdverseEventForm(posted(request))
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise ServiceError("Complete the marked fields.")
            event = services.record_adverse_event(session=session, values=form.cleaned_data, by=request.user)
        except ServiceError as exc:
            show_refusal(form, exc, top=False)
            messages.error(request, exc.message)
        else:
            note = " The prescriber is notified." if event.serious else ""
            messages.success(request, "Adverse event recorded." + note)
            return redirect("infusions:session", session_id=session.pk)
    return _step(request, "adverse_event.html", {"session": session, "form": form,
                                                 "events": session.adverse_events.all()}, status=400 if form.errors else 200)


@session_page(Perm.DISCHARGE, read="session_view")
def discharge(request: HttpRequest, session: InfusionSession) -> HttpResponse:
    kind = discharge_score_kind(session.clinic)
    form = DischargeForm(posted(request), kind=kind)
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise ServiceError("Score every item.")
            services.discharge_patient(session=session, item_scores=form.scores(), by=request.user,
                                       escort_confirmed=form.cleaned_data["escort_confirmed"],
                                       override_reason=form.cleaned_data["override_reason"])
        except ServiceError as exc:
            show_refusal(form, exc, top=False)
            messages.error(request, exc.message)
        else:
            messages.success(request, "Patient discharged. Sign the session record.")
            return redirect("infusions:session", session_id=session.pk)
    policy = discharge_policy(session.clinic)
    context = {"session": session, "form": form, "scale": SCALES[kind], "ready_at": policy.ready_at(kind),
               "observation_min": policy.min_observation_min, "now": datetime.now(UTC)}
    return _step(request, "discharge.html", context, status=400 if form.errors else 200)


@session_page(Perm.SIGN_SESSION, methods=("POST",))
def sign(request: HttpRequest, session: InfusionSession) -> HttpResponse:
    return _signature(request, session, services.sign_session, "Session record signed.")


@session_page(Perm.COSIGN_SESSION, methods=("POST",))
def cosign(request: HttpRequest, session: InfusionSession) -> HttpResponse:
    return _signature(request, session, services.cosign_session, "Session record co-signed.")


def _signature(request: HttpRequest, session: InfusionSession, service: Any, done: str) -> HttpResponse:
    try:
        service(session=session, by=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
        context = screen_context(request, session) | {"all_vitals": vitals_of(session)}
        return render(request, "infusions/record.html", context, status=400)
    messages.success(request, done)
    return redirect("infusions:record", session_id=session.pk)
