"""Sign out, choose a clinic, clinic policy and API tokens (sign-in: views_auth; staff: views_staff)."""

from django.contrib import messages
from django.contrib.auth import logout
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import SIGNED_IN, ClinicRequest, StaffRequest, allow
from toolkit.errors import ServiceError
from toolkit.forms import show_refusal

from . import services
from .choices import Role
from .forms import TokenForm
from .guards import enrolment_exempt
from .models import ApiToken, Membership
from .permissions import Perm, has_perm
from .policy import Setting, policy_value, registry

HOME_BY_ROLE = {
    Role.INVENTORY_OFFICER: "inventory:home",
    Role.RESEARCHER: "outcomes:report",
}


def landing_url(role: str | None) -> str:
    """The page each role lands on after signing in."""
    name = HOME_BY_ROLE.get(Role(role), "home") if role in Role.values else "home"
    try:
        return reverse(name)
    except Exception:  # the app may not exist yet in a partial install
        return reverse("home")


@allow(SIGNED_IN)
@enrolment_exempt
@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, "You are signed out.")
    return redirect("accounts:login")


@allow(SIGNED_IN)
@enrolment_exempt
def choose_clinic(request: StaffRequest) -> HttpResponse:
    memberships = list(Membership.objects.filter(user=request.user, active=True).select_related("clinic"))
    if request.method == "POST":
        wanted = request.POST.get("clinic_id", "")
        chosen = next((m for m in memberships if str(m.clinic_id) == wanted), None)
        if chosen is None:
            messages.error(request, "You are not a member of that clinic.")
        else:
            request.session["clinic_id"] = chosen.clinic_id
            return redirect(landing_url(chosen.role))
    return render(request, "accounts/choose_clinic.html", {"choices": memberships})


@allow(Perm.MANAGE_CLINIC)
def clinic_settings(request: ClinicRequest) -> HttpResponse:
    settings = registry()
    errors: dict[str, str] = {}
    if request.method == "POST":
        submitted = {k: request.POST.getlist(k) if settings[k].kind == "list" else request.POST.get(k, "")
                     for k in settings if k in request.POST or settings[k].kind == "bool"
                     or (settings[k].kind == "list" and settings[k].choices)}  # no box ticked: the empty list
        for key, value in submitted.items():
            if settings[key].kind == "list":
                submitted[key] = "\n".join(value)
        errors = services.update_policy(clinic=request.clinic, values=submitted, by=request.user)
        if not errors:
            messages.success(request, "Clinic settings saved.")
            return redirect("accounts:clinic_settings")
        messages.error(request, "Nothing was saved: correct the settings marked below.")
    rows = [{"s": s, "value": _display(shown := _submitted_or_stored(request, s)), "error": errors.get(s.key),
             "chosen": shown if isinstance(shown, list) else [], "default": _default_words(s)}
            for s in sorted(settings.values(), key=lambda s: s.key)]
    return render(request, "accounts/clinic_settings.html", {"rows": rows}, status=400 if errors else 200)


def _display(value: object) -> str:
    return "\n".join(value) if isinstance(value, list) else str(value)


def _submitted_or_stored(request: ClinicRequest, setting: Setting) -> object:
    """What the form shows: the value just submitted (so a refused form keeps what was typed), else the stored one."""
    if request.method == "POST" and setting.key in request.POST:
        values = request.POST.getlist(setting.key)
        return values if setting.kind == "list" else values[0]
    return policy_value(request.clinic, setting.key)


def _default_words(setting: Setting) -> str:
    """The default as a person reads it: lists one item after another, yes/no for a switch, with the unit."""
    value = setting.default
    if setting.kind == "list":
        shown = [str(v).replace("_", " ") if setting.choices else (str(v).partition(":")[2].strip() or str(v)) for v in value]
        return "; ".join(shown) or "none"
    if setting.kind == "bool":
        return "on" if value else "off"
    if value in ("", None):
        return "empty"
    text = str(value)
    return f"{text} {setting.unit}" if setting.unit and len(text) < 40 else (text if len(text) < 80 else text[:77] + "…")


@allow(SIGNED_IN)
def tokens(request: ClinicRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid() and request.clinic is not None:
        try:
            secret = services.issue_token(user=request.user, clinic=request.clinic, name=form.cleaned_data["name"], by=request.user)
        except ServiceError as exc:
            show_refusal(form, exc)
    mine = ApiToken.objects.filter(user=request.user, revoked_at__isnull=True, expires_at__gt=timezone.now()).order_by("-created_at")
    return render(request, "accounts/tokens.html", {"form": form, "secret": secret, "tokens": mine,
                                                    "token_days": policy_value(request.clinic, "token_days") if request.clinic else 90})


@allow(SIGNED_IN)
def revoke_token(request: ClinicRequest, token_id: int) -> HttpResponse:
    token = ApiToken.objects.filter(user=request.user, clinic=request.clinic, pk=token_id).first()
    if token is None:
        raise Http404("No such token.")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    services.revoke_token(token=token, by=request.user)
    messages.success(request, "Token revoked.")
    return redirect("accounts:tokens")


@allow(Perm.VIEW_PERMISSIONS)
def permissions(request: HttpRequest) -> HttpResponse:
    """The permission table: roles as columns, permissions as rows, each with what it lets a role do."""
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    roles = list(Role)
    rows = [{"perm": perm, "description": perm.description, "cells": [has_perm(role, perm) for role in roles]}
            for perm in Perm]
    return render(request, "accounts/permissions.html", {"roles": roles, "rows": rows})
