"""Sign-in in two steps, enrolment of second factors, passkey ceremonies and step-up re-authentication."""

import time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.access import SIGNED_IN, StaffRequest, allow, public
from toolkit.errors import ServiceError
from toolkit.forms import show_refusal

from . import services
from .errors import SignInEnded
from .factors import prove_password_and_code, recovery_codes_left, required_for
from .forms import CodeForm, FactorOffForm, PasskeyForm, SecondStepForm, SignInForm, StepUpForm
from .guards import enrolment_exempt, mark_authenticated, must_enrol
from .models import Passkey, User
from .signin import address_of

PENDING_SECONDS = 5 * 60  # the second step must follow the password within five minutes


def rp_id(request: HttpRequest) -> str:
    """The WebAuthn relying party: the configured host name, or the request's host without its port."""
    return str(settings.KETACARE_WEBAUTHN_RP_ID or request.get_host().rsplit(":", 1)[0])


def origin(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


def _landing(request: HttpRequest, user: User, wanted: str) -> HttpResponse:
    from .views import landing_url

    membership = user.memberships.filter(active=True).select_related("clinic").first()
    if membership is not None and required_for(membership.role, membership.clinic) and not services.has_second_factor(user):
        messages.info(request, "Your clinic asks your role to use two-step sign-in: set it up to continue.")
        return redirect("accounts:two_factor")
    if wanted and url_has_allowed_host_and_scheme(wanted, {request.get_host()}):
        return redirect(wanted)
    return redirect(landing_url(membership.role if membership else None))


def finish_sign_in(request: HttpRequest, user: User, wanted: str) -> HttpResponse:
    for key in ("pending_user_id", "pending_at", "pending_next", "webauthn_challenge"):
        request.session.pop(key, None)
    login(request, user)  # also marks the proof time for step-up (accounts.guards.on_logged_in)
    return _landing(request, user, wanted)


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
            if services.has_second_factor(user):
                request.session.cycle_key()
                request.session.update({"pending_user_id": user.pk, "pending_at": time.time(),
                                        "pending_next": request.GET.get("next", "")})
                return redirect("accounts:second_factor")
            return finish_sign_in(request, user, request.GET.get("next", ""))
    return render(request, "accounts/sign_in.html", {"form": form, "error": error}, status=400 if error else 200)


def pending_user(request: HttpRequest) -> User | None:
    """The user who gave the right password in the last five minutes and owes the second step."""
    at = request.session.get("pending_at")
    if not isinstance(at, int | float) or time.time() - at > PENDING_SECONDS:
        return None
    return User.objects.filter(pk=request.session.get("pending_user_id") or 0, is_active=True).first()


def end_pending(request: HttpRequest, message: str) -> HttpResponse:
    for key in ("pending_user_id", "pending_at", "pending_next", "webauthn_challenge"):
        request.session.pop(key, None)
    messages.error(request, message)
    return redirect("accounts:login")


@public
def second_factor(request: HttpRequest) -> HttpResponse:
    """Second step of sign-in: a code from the app, a recovery code, or a passkey."""
    if request.user.is_authenticated:
        return redirect("home")
    user = pending_user(request)
    if user is None or not services.has_second_factor(user):
        return end_pending(request, "Sign in again: the first step expired.") if request.session.get("pending_user_id") \
            else redirect("accounts:login")
    form = SecondStepForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            _check_second_step(request, user, form.cleaned_data["code"], form.cleaned_data["credential"])
        except SignInEnded as exc:
            return end_pending(request, exc.message)
        except ServiceError as exc:
            error = exc.message
        else:
            return finish_sign_in(request, user, request.session.get("pending_next", ""))
    elif request.method == "POST":
        error = "Type the code from your app, or use your passkey."
    return render(request, "accounts/second_factor.html", {
        "form": form, "error": error, "has_totp": bool(user.totp_secret),
        "has_passkey": Passkey.objects.filter(user=user).exists(),
    }, status=400 if error else 200)


def _check_second_step(request: HttpRequest, user: User, code: str, credential: str) -> None:
    address = address_of(request)
    if credential:
        challenge = request.session.pop("webauthn_challenge", "")
        services.check_passkey(user=user, credential=credential, challenge=challenge, origin=origin(request),
                               rp_id=rp_id(request), address=address)
    else:
        services.check_second_factor(user=user, code=code, address=address)


@public
@enrolment_exempt
def passkey_options(request: HttpRequest) -> HttpResponse:
    """The options of a WebAuthn ceremony (JSON); the challenge is kept in the session for the form post."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    purpose = request.POST.get("purpose", "")
    if purpose == "register" and request.user.is_authenticated:
        options, challenge = services.registration_options(user=request.user, rp_id=rp_id(request))  # type: ignore[arg-type]
    else:
        user = pending_user(request) if purpose == "sign_in" else (
            request.user if purpose == "reauth" and request.user.is_authenticated else None)
        if not isinstance(user, User) or not Passkey.objects.filter(user=user).exists():
            return JsonResponse({"detail": "No passkey to use here; sign in again."}, status=400)
        options, challenge = services.authentication_options(user=user, rp_id=rp_id(request))
    request.session["webauthn_challenge"] = challenge
    return HttpResponse(options, content_type="application/json")


@allow(SIGNED_IN)
@enrolment_exempt
def two_factor(request: StaffRequest) -> HttpResponse:
    """Your second factors: an authenticator app, passkeys or security keys, and recovery codes."""
    user = request.user
    action = request.POST.get("action", "") if request.method == "POST" else ""
    secret = request.session.get("totp_pending") or services.new_totp_secret()
    request.session["totp_pending"] = secret
    forms = {"totp": CodeForm(request.POST if action == "enable_totp" else None, prefix="totp"),
             "off": FactorOffForm(request.POST if action in {"disable_totp", "remove_passkey", "new_codes"} else None, prefix="off"),
             "passkey": PasskeyForm(request.POST if action == "add_passkey" else None, prefix="passkey")}
    codes: list[str] = []
    if request.method == "POST":
        done = _factor_action(request, action, forms, secret)
        if isinstance(done, HttpResponse):
            return done
        codes = done or []
    status = 400 if any(f.errors for f in forms.values()) or (request.method == "POST" and action not in ACTIONS) else 200
    return render(request, "accounts/two_factor.html", {
        "forms": forms, "totp_on": bool(user.totp_secret), "secret": secret, "uri": services.totp_uri(user=user, secret=secret),
        "passkeys": list(Passkey.objects.filter(user=user).order_by("created_at")), "codes": codes,
        "codes_left": recovery_codes_left(user), "must_enrol": must_enrol(request),
    }, status=status)


ACTIONS = {"enable_totp", "disable_totp", "add_passkey", "remove_passkey", "new_codes"}


def _factor_action(request: StaffRequest, action: str, forms: dict[str, Any], secret: str) -> HttpResponse | list[str] | None:
    """Do one action of the two-step page; fresh recovery codes to show once, a redirect, or None (errors on the forms)."""
    user = request.user
    form = forms["off" if action in {"disable_totp", "remove_passkey", "new_codes"} else
                 "totp" if action == "enable_totp" else "passkey"]
    if action not in ACTIONS or not form.is_valid():
        if action not in ACTIONS:
            messages.error(request, "Choose what to change.")
        return None
    data = form.cleaned_data
    try:
        if action == "enable_totp":
            services.enable_totp(user=user, secret=secret, code=data["code"], by=user)
            request.session.pop("totp_pending", None)
            messages.success(request, "The authenticator app is on: sign-in asks for its code.")
        elif action == "add_passkey":
            services.register_passkey(user=user, name=data["name"], credential=data["credential"],
                                      challenge=request.session.pop("webauthn_challenge", ""),
                                      origin=origin(request), rp_id=rp_id(request), by=user)
            messages.success(request, f"Passkey '{data['name']}' added: sign-in can use it.")
        elif action == "disable_totp":
            services.disable_totp(user=user, password=data["password"], code=data["code"], by=user)
            messages.success(request, "The authenticator app is off.")
            return redirect("accounts:two_factor")
        elif action == "remove_passkey":
            passkey = Passkey.objects.filter(user=user, pk=request.POST.get("passkey_id", "0")).first()
            if passkey is None:
                form.add_error(None, "No such passkey.")
                return None
            services.remove_passkey(passkey=passkey, password=data["password"], code=data["code"], by=user)
            messages.success(request, "Passkey removed.")
            return redirect("accounts:two_factor")
        elif action == "new_codes":
            prove_password_and_code(user, data["password"], data["code"])  # the same proof as turning a factor off
            return services.new_recovery_codes(user=user, by=user)
    except ServiceError as exc:
        show_refusal(form, exc)
        return None
    if recovery_codes_left(user) == 0:
        return services.new_recovery_codes(user=user, by=user)
    return redirect("accounts:two_factor")


@allow(SIGNED_IN)
def reauth(request: StaffRequest) -> HttpResponse:
    """Step-up: prove who you are again (password and second factor) before a sensitive change."""
    wanted = request.GET.get("next", "")
    form = StepUpForm(request.POST or None)
    has_factor = services.has_second_factor(request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.confirm_identity(user=request.user, password=data["password"], code=data["code"],
                                      credential=data["credential"], challenge=request.session.pop("webauthn_challenge", ""),
                                      origin=origin(request), rp_id=rp_id(request), address=address_of(request))
        except SignInEnded as exc:
            logout(request)
            messages.error(request, exc.message)
            return redirect("accounts:login")
        except ServiceError as exc:
            show_refusal(form, exc)
        else:
            mark_authenticated(request)
            if wanted and url_has_allowed_host_and_scheme(wanted, {request.get_host()}):
                return redirect(wanted)
            return redirect("home")
    return render(request, "accounts/reauth.html", {
        "form": form, "has_factor": has_factor, "has_passkey": Passkey.objects.filter(user=request.user).exists(),
    }, status=400 if form.errors else 200)

