"""Sign in and out, choose a clinic, clinic policy, staff and API tokens."""

from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.access import SIGNED_IN, ClinicRequest, StaffRequest, allow, public
from toolkit.errors import ServiceError
from toolkit.forms import show_refusal, submit

from . import services
from .choices import Role
from .forms import CodeForm, SignInForm, StaffForm, TokenForm
from .models import ApiToken, Membership, User
from .permissions import Perm, has_perm
from .policy import policy_value, registry

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


@public
def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST or None)
    error = None
    if request.session.pop("signed_out_idle", False):
        messages.info(request, "You were signed out after a period of inactivity.")
    if request.method == "POST" and form.is_valid():
        try:
            user = services.sign_in(request=request, **form.cleaned_data)
        except ServiceError as exc:
            error = exc.message
        else:
            if user.totp_secret:
                request.session["pending_user_id"] = user.pk
                request.session["pending_next"] = request.GET.get("next", "")
                return redirect("accounts:second_factor")
            return _finish_sign_in(request, user, request.GET.get("next", ""))
    return render(request, "accounts/sign_in.html", {"form": form, "error": error}, status=400 if error else 200)


def _finish_sign_in(request: HttpRequest, user: User, wanted: str) -> HttpResponse:
    login(request, user)
    membership = user.memberships.filter(active=True).first()
    if wanted and url_has_allowed_host_and_scheme(wanted, {request.get_host()}):
        return redirect(wanted)
    return redirect(landing_url(membership.role if membership else None))


@public
def second_factor(request: HttpRequest) -> HttpResponse:
    """Second step of sign-in for users with a TOTP app: the 6-digit code."""
    if request.user.is_authenticated:
        return redirect("home")
    user = User.objects.filter(pk=request.session.get("pending_user_id") or 0, is_active=True).first()
    if user is None or not user.totp_secret:
        return redirect("accounts:login")
    form = CodeForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            services.check_second_factor(user=user, code=form.cleaned_data["code"])
        except ServiceError as exc:
            error = exc.message
        else:
            wanted = request.session.pop("pending_next", "")
            request.session.pop("pending_user_id", None)
            return _finish_sign_in(request, user, wanted)
    return render(request, "accounts/second_factor.html", {"form": form, "error": error}, status=400 if error else 200)


@allow(SIGNED_IN)
def two_factor(request: StaffRequest) -> HttpResponse:
    """Turn the authenticator-app second factor on or off for yourself."""
    user = request.user
    if request.method == "POST" and request.POST.get("action") == "disable":
        services.disable_totp(user=user, by=user)
        messages.success(request, "Two-step sign-in is off.")
        return redirect("accounts:two_factor")
    secret = request.session.get("totp_pending") or services.new_totp_secret()
    request.session["totp_pending"] = secret
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.enable_totp(user=user, secret=secret, code=form.cleaned_data["code"], by=user)
        except ServiceError as exc:
            form.add_error("code", exc.message)
        else:
            request.session.pop("totp_pending", None)
            messages.success(request, "Two-step sign-in is on: you will be asked for a code from your app.")
            return redirect("accounts:two_factor")
    return render(request, "accounts/two_factor.html", {
        "form": form, "enabled": bool(user.totp_secret), "secret": secret,
        "uri": services.totp_uri(user=user, secret=secret),
    }, status=400 if form.errors else 200)


@allow(SIGNED_IN)
@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, "You are signed out.")
    return redirect("accounts:login")


@allow(SIGNED_IN)
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
                     for k in settings if k in request.POST or settings[k].kind == "bool"}
        for key, value in submitted.items():
            if settings[key].kind == "list":
                submitted[key] = "\n".join(value)
        errors = services.update_policy(clinic=request.clinic, values=submitted, by=request.user)
        if not errors:
            messages.success(request, "Clinic settings saved.")
            return redirect("accounts:clinic_settings")
        messages.error(request, "Nothing was saved: correct the settings marked below.")
    rows = [{"s": s, "value": _display(policy_value(request.clinic, s.key)), "error": errors.get(s.key)}
            for s in sorted(settings.values(), key=lambda s: s.key)]
    return render(request, "accounts/clinic_settings.html", {"rows": rows}, status=400 if errors else 200)


def _display(value: object) -> str:
    return "\n".join(value) if isinstance(value, list) else str(value)


@allow(Perm.MANAGE_STAFF)
def staff(request: ClinicRequest) -> HttpResponse:
    form = StaffForm(request.POST or None)
    saved = submit(request, form, lambda data: services.create_staff(clinic=request.clinic, by=request.user, **data),
                   done=lambda member: f"Staff user {form.cleaned_data['username']} created.",
                   then=lambda _: redirect("accounts:staff"))
    if saved is not None:
        return saved
    members = Membership.objects.filter(clinic=request.clinic).select_related("user").order_by("role", "user__username")
    return render(request, "accounts/staff.html", {"form": form, "members": members}, status=400 if form.errors else 200)


@allow(SIGNED_IN)
def tokens(request: ClinicRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid() and request.clinic is not None:
        try:
            secret = services.issue_token(user=request.user, clinic=request.clinic, name=form.cleaned_data["name"], by=request.user)
        except ServiceError as exc:
            show_refusal(form, exc)
    mine = ApiToken.objects.filter(user=request.user, revoked_at__isnull=True).order_by("-created_at")
    return render(request, "accounts/tokens.html", {"form": form, "secret": secret, "tokens": mine})


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
