"""The session screen at the chair: live part, transition buttons, typed vitals, notes, the printable record."""

from datetime import UTC, datetime
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render

from accounts.choices import Role
from audit import services as audit
from ketacare.access import allow
from ketacare.errors import ServiceError
from ketacare.polling import audit_poll, polled
from ketacare.scoping import get_in_clinic

from . import screen, services
from .choices import SideEffect
from .forms import NoteForm, ReasonForm, SideEffectsForm, VitalsForm
from .models import InfusionSession
from .queries import vitals_of

CHAIR = (Role.PRESCRIBER, Role.NURSE)
READERS = (Role.PRESCRIBER, Role.NURSE, Role.THERAPIST)


def not_post(request: HttpRequest) -> HttpResponse | None:
    """405 for anything but POST, answered after the object lookup so other clinics still get 404."""
    return None if request.method == "POST" else HttpResponseNotAllowed(["POST"])


def posted(request: HttpRequest) -> Any:
    """The form data of a POST (even an empty one, so it is bound and shows errors), else None."""
    return request.POST if request.method == "POST" else None


def get_session(request: HttpRequest, session_id: int) -> InfusionSession:
    """The session of the user's clinic, or 404 (also for other clinics' sessions)."""
    session = get_in_clinic(InfusionSession, request.clinic, pk=session_id)  # type: ignore[attr-defined]
    return InfusionSession.objects.select_related("patient", "chair", "course", "clinic", "checked_in_by",
                                                  "dose_verified_by", "signed_by", "cosigned_by").get(pk=session.pk)


def audit_view(request: HttpRequest, session: InfusionSession, action: str) -> None:
    with transaction.atomic():
        audit.record(action=action, by=request.user, clinic=session.clinic, patient=session.patient_id, obj=session)


def screen_context(request: HttpRequest, session: InfusionSession, **forms: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    effects = session.side_effects.get("items", [])
    return {
        "session": session, "patient": session.patient, "buttons": screen.buttons(session),
        "elapsed_since": screen.elapsed_since(session), "live": screen.live_context(session, now),
        "dose": session.dose, "can_chair": request.role in CHAIR,  # type: ignore[attr-defined]
        "vitals_form": forms.get("vitals_form") or VitalsForm(),
        "reason_form": forms.get("reason_form") or ReasonForm(),
        "note_form": forms.get("note_form") or NoteForm(),
        "effects_form": forms.get("effects_form") or SideEffectsForm(initial={"items": effects,
                                                                               "note": session.side_effects.get("note", "")}),
        "effect_labels": [SideEffect(i).label for i in effects if i in SideEffect.values],
        "events": list(session.events.select_related("by")),
        "adverse_events": list(session.adverse_events.all()),
    }


@allow(*CHAIR)
def session_screen(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_session(request, session_id)
    audit_view(request, session, "session_view")
    return render(request, "infusions/session.html", screen_context(request, session))


@allow(*CHAIR)
@polled
def live(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_session(request, session_id)
    context = screen.live_context(session, datetime.now(UTC))
    shown = (session.state, context["vital_count"], getattr(context["latest"], "pk", None),
             [(a.pk, a.acknowledged_at) for a in context["alerts"]])
    audit_poll(request, f"session:{session.pk}", shown, lambda: audit_view(request, session, "session_view"))
    return render(request, "infusions/_live.html", context)


def rerender(request: HttpRequest, session: InfusionSession, exc: ServiceError, **forms: Any) -> HttpResponse:
    messages.error(request, exc.message)
    for form in forms.values():
        for field, problem in exc.field_errors.items():
            if field in form.fields:
                form.add_error(field, problem)
    return render(request, "infusions/session.html", screen_context(request, session, **forms), status=400)


@allow(*CHAIR)
def action(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_session(request, session_id)
    if (refused := not_post(request)) is not None:
        return refused
    form = ReasonForm(request.POST)
    name = request.POST.get("action", "")
    try:
        form.is_valid()
        services.apply_action(session=session, action=name, reason=form.cleaned_data.get("reason", ""), by=request.user)
    except ServiceError as exc:
        return rerender(request, get_session(request, session_id), exc, reason_form=form)
    messages.success(request, f"{screen.label_of(name)}: done.")
    return redirect("infusions:session", session_id=session.pk)


@allow(*CHAIR)
def vitals(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_session(request, session_id)
    if (refused := not_post(request)) is not None:
        return refused
    form = VitalsForm(request.POST)
    try:
        if not form.is_valid():
            raise ServiceError("Check the values.")
        _, raised = services.record_vitals(session=session, values=form.cleaned_data, by=request.user)
    except ServiceError as exc:
        return rerender(request, session, exc, vitals_form=form)
    if raised:
        messages.warning(request, " ".join(a.message for a in raised))
    else:
        messages.success(request, "Reading recorded.")
    return redirect("infusions:session", session_id=session.pk)


@allow(*CHAIR)
def side_effects(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_session(request, session_id)
    if (refused := not_post(request)) is not None:
        return refused
    form = SideEffectsForm(request.POST)
    try:
        if not form.is_valid():
            raise ServiceError("Choose side effects from the list.")
        services.record_side_effects(session=session, items=form.cleaned_data["items"], note=form.cleaned_data["note"],
                                     by=request.user)
    except ServiceError as exc:
        return rerender(request, session, exc, effects_form=form)
    messages.success(request, "Side-effect checklist saved.")
    return redirect("infusions:session", session_id=session.pk)


@allow(*CHAIR)
def note(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_session(request, session_id)
    if (refused := not_post(request)) is not None:
        return refused
    form = NoteForm(request.POST)
    try:
        if not form.is_valid():
            raise ServiceError("Write the note first.", {"note": "Required."})
        services.add_note(session=session, note=form.cleaned_data["note"], by=request.user)
    except ServiceError as exc:
        return rerender(request, session, exc, note_form=form)
    messages.success(request, "Note added.")
    return redirect("infusions:session", session_id=session.pk)


@allow(*READERS)
def record(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_session(request, session_id)
    audit_view(request, session, "session_record_view")
    context = screen_context(request, session) | {"all_vitals": vitals_of(session)}
    return render(request, "infusions/record.html", context)
