"""A clinic admin's staff pages: add staff, deactivate or reactivate, reset a password or a second factor.

Every page here is a staff change: it asks for a fresh proof of identity (step-up, five minutes).
"""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from accounts.access import ClinicRequest, allow
from toolkit.errors import ServiceError
from toolkit.forms import show_refusal

from . import services
from .forms import DeactivateForm, ResetPasswordForm, StaffForm
from .guards import step_up
from .models import Membership, Passkey
from .passwords import policy_text
from .permissions import Perm


@allow(Perm.MANAGE_STAFF)
@step_up
def staff(request: ClinicRequest) -> HttpResponse:
    form = StaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_staff(clinic=request.clinic, by=request.user, **form.cleaned_data)
        except ServiceError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, f"Staff user {form.cleaned_data['username']} created.")
            return redirect("accounts:staff")
    members = Membership.objects.filter(clinic=request.clinic).select_related("user").order_by("-active", "role", "user__username")
    with_passkeys = set(Passkey.objects.filter(user__memberships__clinic=request.clinic).values_list("user_id", flat=True))
    return render(request, "accounts/staff.html", {"form": form, "members": members, "with_passkeys": with_passkeys},
                  status=400 if form.errors else 200)


@allow(Perm.MANAGE_STAFF)
@step_up
def member(request: ClinicRequest, member_id: int) -> HttpResponse:
    """One member: deactivate or reactivate, reset the password, reset the second factor (each audited)."""
    membership = Membership.objects.filter(clinic=request.clinic, pk=member_id).select_related("user").first()
    if membership is None:
        raise Http404("No such member of this clinic.")
    user = membership.user
    action = request.POST.get("action", "") if request.method == "POST" else ""
    deactivate = DeactivateForm(request.POST if action == "deactivate" else None, prefix="off")
    password = ResetPasswordForm(request.POST if action == "reset_password" else None, prefix="pw")
    if request.method == "POST" and _member_action(request, action, membership, deactivate, password):
        return redirect("accounts:member", member_id=membership.pk)
    return render(request, "accounts/member.html", {
        "m": membership, "u": user, "deactivate": deactivate, "password": password, "rules": policy_text(),
        "has_passkey": Passkey.objects.filter(user=user).exists(),
    }, status=400 if request.method == "POST" else 200)


def _member_action(request: ClinicRequest, action: str, membership: Membership, deactivate: DeactivateForm,
                   password: ResetPasswordForm) -> bool:
    """Do the chosen change; whether it was done (else the forms carry the reasons)."""
    user, clinic, by = membership.user, request.clinic, request.user
    form = password if action == "reset_password" else deactivate
    try:
        if action == "deactivate" and deactivate.is_valid():
            services.deactivate_staff(user=user, clinic=clinic, reason=deactivate.cleaned_data["reason"], by=by)
            messages.success(request, f"{user.username} is deactivated: their sessions and tokens ended.")
        elif action == "reactivate":
            services.reactivate_staff(user=user, clinic=clinic, by=by)
            messages.success(request, f"{user.username} is active again.")
        elif action == "reset_password" and password.is_valid():
            services.reset_password(user=user, clinic=clinic, password=password.cleaned_data["password"], by=by)
            messages.success(request, f"New password set for {user.username}: their sessions and tokens ended.")
        elif action == "reset_second_factor":
            services.reset_second_factor(user=user, clinic=clinic, by=by)
            messages.success(request, f"{user.username}'s second factors are removed: they set one up at their next sign-in.")
        else:
            if action not in {"deactivate", "reset_password"}:
                messages.error(request, "Choose what to change.")
            return False
    except ServiceError as exc:
        show_refusal(form, exc)
        return False
    return True
