"""The audit log page of the clinic admin area (reading it is itself audited); the chain itself is `audit`."""

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from audit.models import AuditEvent

from .access import ClinicRequest, allow
from .pages import audit_read
from .permissions import Perm


@allow(Perm.VIEW_AUDIT_LOG)
def log(request: ClinicRequest) -> HttpResponse:
    rows = AuditEvent.objects.filter(clinic=request.clinic).select_related("actor").order_by("-id")
    action = request.GET.get("action", "")[:64]
    patient = request.GET.get("patient", "")
    if action:
        rows = rows.filter(action__icontains="_".join(action.lower().split()))  # "patient view" finds patient_view
    if patient.isdigit():
        rows = rows.filter(patient_id=int(patient))
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    audit_read(request, "audit_log_view", detail={"action": action, "patient": patient})
    return render(request, "accounts/audit_log.html", {"page": page, "action": action, "patient": patient})
