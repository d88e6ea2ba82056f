"""Who may use which view or API route: declared once per route, checked in one place.

Every view is wrapped by `allow(Perm.X)` (or `allow(SIGNED_IN)`) or `public`; the permission names a
row of the table in accounts/permissions.py. The role x URL matrix test reads the `permission` and
`allowed_roles` attributes these decorators leave, so an undeclared route fails the suite.
"""

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from ninja.errors import HttpError

from accounts.permissions import Perm, has_perm, roles_with

if TYPE_CHECKING:
    from accounts.models import Clinic, Membership, User

PUBLIC = "public"
SIGNED_IN = "signed_in"  # any signed-in staff user, whatever the role (e.g. choose clinic, sign out)


class StaffRequest(HttpRequest):
    """A request of a signed-in staff user (what `allow(SIGNED_IN)` lets through). An annotation, never built."""

    user: "User"


class ClinicRequest(StaffRequest):
    """A request of a staff member acting in one clinic, as views and API operations receive it.

    accounts.middleware (pages) or the API token (ketacare.api) sets `clinic`, `membership` and `role`;
    `allow(Perm.X)`/`api_allow` let a request reach a view only then. An annotation, never built.
    """

    clinic: "Clinic"
    membership: "Membership"
    role: str
    memberships: list["Membership"]


def act_in(request: HttpRequest, membership: "Membership | None", memberships: "list[Membership] | None" = None) -> None:
    """Make the request act in the membership's clinic with its role (or in none): what ClinicRequest promises."""
    vars(request).update(clinic=membership.clinic if membership else None, membership=membership,
                         role=membership.role if membership else None)
    if memberships is not None:
        vars(request)["memberships"] = memberships
    from toolkit.rls import scope_request

    scope_request(membership.clinic_id if membership else None)


V = TypeVar("V", bound=Callable[..., Any])


def declare(view: V, perm: Perm | str, roles: frozenset[str]) -> V:
    """Leave on a view what it declares (`permission`, `allowed_roles`), for the route matrix and the API guard."""
    vars(view).update(permission=perm, allowed_roles=roles)
    return view


def allowed_roles(perm: Perm | str) -> frozenset[str]:
    """The roles a route declared with `perm` admits (SIGNED_IN and PUBLIC stand for themselves)."""
    return frozenset({perm}) if perm in (SIGNED_IN, PUBLIC) else roles_with(Perm(perm))


def allow(perm: Perm | str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Let only signed-in users whose role in the active clinic holds `perm` use the view."""
    roles = allowed_roles(perm)

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
            if perm != SIGNED_IN and getattr(request, "role", None) not in roles:
                raise PermissionDenied("Your role does not allow this page.")
            from accounts.guards import enrolment_redirect  # the clinic may require a second factor first

            enrol = enrolment_redirect(request, view)
            if enrol is not None:
                return enrol
            return view(request, *args, **kwargs)

        return declare(wrapped, perm, roles)

    return decorate


def api_allow(perm: Perm) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Let only callers whose role in their clinic holds `perm` use the operation."""
    allowed = roles_with(perm)

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(func)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if getattr(request, "role", None) not in allowed:
                raise HttpError(403, "Your role does not allow this operation.")
            return func(request, *args, **kwargs)

        return declare(wrapped, perm, allowed)

    return decorate


def public(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark a view as usable without signing in (sign-in page, patient questionnaire links)."""
    return declare(view, PUBLIC, frozenset({PUBLIC}))


def can(request: HttpRequest, perm: Perm) -> bool:
    """Tell whether the request's active role holds `perm` (for showing buttons and panels)."""
    return has_perm(getattr(request, "role", None), perm)


# Sample values for URL keyword arguments, used by the generated role x URL matrix test.
# Each app registers, in its urls.py, how to find an object of a clinic for each kwarg it uses:
#   register_url_sample("patient_id", lambda clinic: Patient.objects.in_clinic(clinic).first().pk)
# A URL takes at most one object kwarg; another clinic's users must get 404 for it.
URL_SAMPLES: dict[str, Callable[[Any], Any]] = {}


def register_url_sample(kwarg: str, finder: Callable[[Any], Any]) -> None:
    """Tell the matrix test how to find a sample value of `kwarg` in a clinic."""
    URL_SAMPLES[kwarg] = finder
