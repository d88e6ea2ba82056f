"""Today's sessions (the alert pages are the alerts app's, the quarantine interop's)."""

from datetime import UTC, datetime

from django.http import HttpResponse
from django.shortcuts import render

from accounts.access import ClinicRequest, allow
from accounts.pages import audit_read
from accounts.permissions import Perm

from . import queries


@allow(Perm.VIEW_PATIENTS)
def today(request: ClinicRequest) -> HttpResponse:
    rows = list(queries.sessions_on(request.clinic, datetime.now(UTC)))
    audit_read(request, "sessions_today_view", count=len(rows))
    return render(request, "infusions/today.html", {"sessions": rows})
