"""Today's sessions (the alert pages are the alerts app's, the quarantine interop's)."""

from datetime import UTC, datetime

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.choices import Role
from audit import services as audit
from ketacare.access import allow

from . import queries

ALL_CLINICAL = (Role.PRESCRIBER, Role.NURSE, Role.THERAPIST, Role.FRONT_DESK, Role.CLINIC_ADMIN)


def _audit(request: HttpRequest, action: str, **detail: object) -> None:
    with transaction.atomic():
        audit.record(action=action, by=request.user, clinic=request.clinic, detail=detail)  # type: ignore[attr-defined]


@allow(*ALL_CLINICAL)
def today(request: HttpRequest) -> HttpResponse:
    rows = list(queries.sessions_on(request.clinic, datetime.now(UTC)))  # type: ignore[attr-defined]
    _audit(request, "sessions_today_view", count=len(rows))
    return render(request, "infusions/today.html", {"sessions": rows})
