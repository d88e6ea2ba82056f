"""Who may use which view or API route: declared once per route, checked in one place.

Every view is wrapped by `allow(...)` or `public`; the role x URL matrix test reads the
`allowed_roles` attribute these decorators leave, so an undeclared route fails the suite.
"""

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

PUBLIC = "public"
SIGNED_IN = "signed_in"  # any signed-in staff user, whatever the role (e.g. choose clinic, sign out)


def allow(*roles: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Let only signed-in users whose role in the active clinic is one of `roles` use the view."""
    allowed = frozenset(str(r) for r in roles)

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
            if SIGNED_IN not in allowed and getattr(request, "role", None) not in allowed:
                raise PermissionDenied("Your role does not allow this page.")
            return view(request, *args, **kwargs)

        wrapped.allowed_roles = allowed  # type: ignore[attr-defined]
        return wrapped

    return decorate


def public(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark a view as usable without signing in (sign-in page, patient questionnaire links)."""
    view.allowed_roles = frozenset({PUBLIC})  # type: ignore[attr-defined]
    return view


def role_allowed(request: HttpRequest, roles: Iterable[str]) -> bool:
    """Tell whether the request's active role is among `roles` (for showing buttons)."""
    return getattr(request, "role", None) in set(roles)


# Sample values for URL keyword arguments, used by the generated role x URL matrix test.
# Each app registers, in its urls.py, how to find an object of a clinic for each kwarg it uses:
#   register_url_sample("patient_id", lambda clinic: Patient.objects.in_clinic(clinic).first().pk)
# A URL takes at most one object kwarg; another clinic's users must get 404 for it.
URL_SAMPLES: dict[str, Callable[[Any], Any]] = {}


def register_url_sample(kwarg: str, finder: Callable[[Any], Any]) -> None:
    """Tell the matrix test how to find a sample value of `kwarg` in a clinic."""
    URL_SAMPLES[kwarg] = finder
