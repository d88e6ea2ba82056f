"""Top-level URLs: each app under its own prefix, the API under /api/."""

from django.urls import include, path

from interop.fhir.smart import smart_configuration
from toolkit.hooks import app_modules

from . import views
from .api import api, guard_roles

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("audit/", include("accounts.audit_urls")),  # the audit log page of the admin area
    path("api/", api.urls),
    path("fhir/", include("interop.fhir.urls")),  # FHIR R4 API, bearer tokens (interop/fhir)
    path(".well-known/smart-configuration", smart_configuration, name="smart-configuration"),
]
guard_roles()

_APPS = ["patients", "courses", "scheduling", "infusions", "alerts", "measures", "therapy", "inventory", "outcomes", "interop"]
for _app, _module in app_modules("urls", _APPS):
    urlpatterns.append(path(f"{_app}/", include(_module)))

handler400 = "ketacare.views.error_400"
handler403 = "ketacare.views.error_403"
handler404 = "ketacare.views.error_404"
handler500 = "ketacare.views.error_500"
