"""The audit log page for clinic admins (reading it is itself audited)."""

from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.choices import Role
from ketacare.access import allow

from . import services
from .models import AuditEvent


@allow(Role.CLINIC_ADMIN)
def log(request: HttpRequest) -> HttpResponse:
    rows = AuditEvent.objects.filter(clinic=request.clinic).select_related("actor").order_by("-id")  # type: ignore[attr-defined]
    action = request.GET.get("action", "")[:64]
    patient = request.GET.get("patient", "")
    if action:
        rows = rows.filter(action__icontains=action)
    if patient.isdigit():
        rows = rows.filter(patient_id=int(patient))
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    with transaction.atomic():
        services.record(action="audit_log_view", by=request.user, clinic=request.clinic, detail={"action": action, "patient": patient})  # type: ignore[attr-defined]
    return render(request, "audit/log.html", {"page": page, "action": action, "patient": patient})
