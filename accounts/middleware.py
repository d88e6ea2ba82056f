"""Set request.clinic and request.role from the signed-in user's active membership; idle logoff."""

import time
from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from audit.context import client_addr
from ketacare.access import act_in

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
            if request.user.is_authenticated:
                self._resolve(request)
            return self.get_response(request)
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
        request.session["last_seen"] = now
        request.session["clinic_id"] = chosen.clinic_id
        act_in(request, chosen, memberships)
        timezone.activate(ZoneInfo(chosen.clinic.time_zone))
