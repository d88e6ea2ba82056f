"""Set request.clinic and request.role from the signed-in user's active membership; idle logoff."""

import time
from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils import timezone

from accounts.access import act_in
from audit.context import client_addr
from toolkit.polling import is_poll

from .models import Membership
from .policy import policy_value


class ClinicMiddleware:
    """Resolve the active clinic once per request; sign out after the clinic's idle timeout."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = client_addr.set(request.META.get("REMOTE_ADDR", ""))
        try:
            act_in(request, None)
            signed_in = request.user.is_authenticated  # by the session (API tokens sign in inside the view)
            if signed_in:
                self._resolve(request)
                signed_in = request.user.is_authenticated
                if not signed_in and request.headers.get("HX-Request"):
                    return _to_sign_in(request)  # signed out idle just now, by a poll
            response = self.get_response(request)
            if signed_in and request.user.is_authenticated and not is_poll(request):
                request.session["last_seen"] = time.time()  # a poll is not activity (ketacare/polling.py)
            return response
        finally:
            client_addr.reset(token)
            timezone.deactivate()

    def _resolve(self, request: HttpRequest) -> None:
        memberships = list(Membership.objects.filter(user=request.user, active=True).select_related("clinic"))
        if not memberships:
            return
        wanted = request.session.get("clinic_id")
        chosen = next((m for m in memberships if m.clinic_id == wanted), memberships[0])
        now = time.time()
        last = request.session.get("last_seen", now)
        if now - last > policy_value(chosen.clinic, "idle_timeout_min") * 60:
            logout(request)
            request.session["signed_out_idle"] = True
            return
        if request.session.get("clinic_id") != chosen.clinic_id:
            request.session["clinic_id"] = chosen.clinic_id
        act_in(request, chosen, memberships)
        timezone.activate(ZoneInfo(chosen.clinic.time_zone))


def _to_sign_in(request: HttpRequest) -> HttpResponse:
    """An htmx request (a poll) met the idle logoff: send the whole page to sign-in, not the fragment."""
    response = HttpResponse(status=204)
    response["HX-Redirect"] = resolve_url(settings.LOGIN_URL)
    return response
