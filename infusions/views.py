"""The session screen at the chair: live part, transition buttons, typed vitals, notes, the printable record."""

from datetime import UTC, datetime
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.pages import audit_read, page
from accounts.permissions import Perm
from toolkit import session_screen as screen_hooks
from toolkit.errors import ServiceError
from toolkit.forms import show_refusal
from toolkit.polling import audit_poll, polled

from . import ledger_link, screen, services
from .choices import SideEffect
from .forms import NoteForm, ReasonForm, SideEffectsForm, VitalsForm
from .models import InfusionSession
from .queries import vitals_of
from .services.gate import alert_blockers
from .services.stopping import running_minutes

BLOCKABLE = ("scheduled", "checked_in", "dose_verified")  # states whose next step (check-in, start) the alert gate blocks

SESSION_RELATED = ("patient", "chair", "course", "clinic", "checked_in_by", "dose_verified_by", "signed_by", "cosigned_by")


def session_page(perm: Perm, *, methods: tuple[str, ...] = ("GET", "POST"), read: str = "") -> Any:
    """`page` for a view of one infusion session of the clinic, loaded with what the screen shows."""
    return page(perm, InfusionSession, select=SESSION_RELATED, methods=methods, read=read)


def posted(request: HttpRequest) -> Any:
    """The form data of a POST (even an empty one, so it is bound and shows errors), else None."""
    return request.POST if request.method == "POST" else None


def fresh(session: InfusionSession) -> InfusionSession:
    """The session as stored now (after a refused change), loaded as `session_page` loads it."""
    return InfusionSession.objects.select_related(*SESSION_RELATED).get(pk=session.pk)


def screen_context(request: HttpRequest, session: InfusionSession, **forms: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    effects = session.side_effects.get("items", [])
    return {
        "session": session, "patient": session.patient, "buttons": screen.buttons(session, now),
        "can_sign": services.can_sign(session), "infused_min": running_minutes(session, now)
        if session.state in ("infusing", "paused") else None,
        "elapsed_since": screen.elapsed_since(session), "live": screen.live_context(session, now),
        "dose": session.dose, "drawn_mg": _drawn_mg(session),
        "vitals_form": forms.get("vitals_form") or VitalsForm(),
        "reason_form": forms.get("reason_form") or ReasonForm(),
        "note_form": forms.get("note_form") or NoteForm(),
        "effects_form": forms.get("effects_form") or SideEffectsForm(initial={"items": effects,
                                                                               "note": session.side_effects.get("note", "")}),
        "effect_labels": [SideEffect(i).label for i in effects if i in SideEffect.values],
        "events": list(session.events.select_related("by")),
        "adverse_events": list(session.adverse_events.all()),
        "blockers": alert_blockers(session) if session.state in BLOCKABLE else [],
        "panels": screen_hooks.panels(request, session),
    }


def _drawn_mg(session: InfusionSession) -> Any:
    """The mg drawn for the session, from the ledger (None when no ledger app answers)."""
    try:
        return ledger_link.drawn_mg(session)[0]
    except ServiceError:
        return None


@session_page(Perm.OPEN_SESSIONS, methods=("GET",), read="session_view")
def session_screen(request: HttpRequest, session: InfusionSession) -> HttpResponse:
    return render(request, "infusions/session.html", screen_context(request, session))


@session_page(Perm.OPEN_SESSIONS, methods=("GET",))
@polled
def live(request: HttpRequest, session: InfusionSession) -> HttpResponse:
    context = screen.live_context(session, datetime.now(UTC))
    shown = (session.state, context["vital_count"], getattr(context["latest"], "pk", None),
             [(a.pk, a.acknowledged_at) for a in context["alerts"]])
    audit_poll(request, f"session:{session.pk}", shown,
               lambda: audit_read(request, "session_view", patient=session.patient_id, obj=session))
    return render(request, "infusions/_live.html", context)


def rerender(request: HttpRequest, session: InfusionSession, exc: ServiceError, **forms: Any) -> HttpResponse:
    """Show the session screen again with the refusal: the message on top, each field's problem on its form."""
    messages.error(request, exc.message)
    first, *others = forms.values()
    show_refusal(first, exc, *others, top=False)
    return render(request, "infusions/session.html", screen_context(request, session, **forms), status=400)


@session_page(Perm.CONTROL_INFUSION, methods=("POST",))
def action(request: HttpRequest, session: InfusionSession) -> HttpResponse:
    form = ReasonForm(request.POST)
    name = request.POST.get("action", "")
    try:
        form.is_valid()
        services.apply_action(session=session, action=name, reason=form.cleaned_data.get("reason", ""),
                              pump_volume_ml=request.POST.get("pump_volume_ml", "").strip() or None, by=request.user)
    except ServiceError as exc:
        return rerender(request, fresh(session), exc, reason_form=form)
    messages.success(request, f"{screen.label_of(name)}: done.")
    return redirect("infusions:session", session_id=session.pk)


@session_page(Perm.RECORD_VITALS, methods=("POST",))
def vitals(request: HttpRequest, session: InfusionSession) -> HttpResponse:
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


@session_page(Perm.RECORD_SIDE_EFFECTS, methods=("POST",))
def side_effects(request: HttpRequest, session: InfusionSession) -> HttpResponse:
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


@session_page(Perm.WRITE_SESSION_NOTES, methods=("POST",))
def note(request: HttpRequest, session: InfusionSession) -> HttpResponse:
    form = NoteForm(request.POST)
    try:
        if not form.is_valid():
            raise ServiceError("Write the note first.", {"note": "Required."})
        services.add_note(session=session, note=form.cleaned_data["note"], by=request.user)
    except ServiceError as exc:
        return rerender(request, session, exc, note_form=form)
    messages.success(request, "Note added.")
    return redirect("infusions:session", session_id=session.pk)


@session_page(Perm.VIEW_SESSION_RECORDS, methods=("GET",), read="session_record_view")
def record(request: HttpRequest, session: InfusionSession) -> HttpResponse:
    context = screen_context(request, session) | {"all_vitals": vitals_of(session)}
    return render(request, "infusions/record.html", context)
