"""Top-level URLs: each app under its own prefix, the API under /api/."""

from importlib import import_module

from django.urls import include, path

from . import views
from .api import api, guard_roles

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("api/", api.urls),
]
guard_roles()

for _app in ["audit", "patients", "courses", "infusions", "measures", "therapy", "inventory", "outcomes", "interop"]:
    try:
        import_module(f"{_app}.urls")
    except ModuleNotFoundError as exc:
        if exc.name != f"{_app}.urls":
            raise
        continue
    urlpatterns.append(path(f"{_app}/", include(f"{_app}.urls")))

handler400 = "ketacare.views.error_400"
handler403 = "ketacare.views.error_403"
handler404 = "ketacare.views.error_404"
handler500 = "ketacare.views.error_500"
