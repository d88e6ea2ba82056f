"""The dashboard and the error pages."""

from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from accounts.access import PUBLIC, SIGNED_IN, allow, public
from accounts.pages import audit_read
from accounts.permissions import Perm, has_perm
from toolkit import dashboard


@allow(SIGNED_IN)
def home(request: HttpRequest) -> HttpResponse:
    role = getattr(request, "role", None)
    if role is None:
        return render(request, "no_clinic.html", status=403)
    if not has_perm(role, Perm.VIEW_PATIENTS):
        from django.urls import reverse

        from accounts.views import landing_url

        target = landing_url(role)
        if target != reverse("home"):
            return redirect(target)
        return render(request, "no_clinic.html", {"role_without_page": True})
    panels = dashboard.collect(request, datetime.now(UTC))
    audit_read(request, "dashboard_view", panels=len(panels))
    return render(request, "dashboard.html", {"panels": panels, "now": datetime.now(UTC)})


@public
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def _api_error(request: HttpRequest, status: int, detail: str) -> HttpResponse | None:
    """Programs calling /api/ get JSON errors in the API's error shape, never an HTML page."""
    if not request.path.startswith("/api/"):
        return None
    return JsonResponse({"detail": detail}, status=status)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _api_error(request, 404, "No such API operation or object.") or \
        render(request, "404.html", {"message": str(exception or "")}, status=404)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _api_error(request, 403, str(exception or "") or "Forbidden.") or \
        render(request, "403.html", {"message": str(exception or "")}, status=403)


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _api_error(request, 400, "The request could not be read.") or render(request, "400.html", status=400)


def error_500(request: HttpRequest) -> HttpResponse:
    return _api_error(request, 500, "Something went wrong on the server; the error was logged.") or \
        render(request, "500.html", status=500)


__all__ = ["PUBLIC", "home", "healthz"]
