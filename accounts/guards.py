"""Page guards of the accounts rules: enrolment of a required second factor first, step-up before sensitive changes.

`allow` (ketacare/access.py) calls `enrolment_redirect` after the role check, so a member of a role
the clinic requires a second factor of reaches only the enrolment pages until they have one.
`step_up` asks for the password (and the second factor) again when the last proof is older than
five minutes: the research export, ledger destruction and staff changes use it.
"""

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import quote

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

STEP_UP_SECONDS = 5 * 60
V = TypeVar("V", bound=Callable[..., Any])


def enrolment_exempt(view: V) -> V:
    """Mark a page a user who must enrol may still use (enrolment itself, sign-out, choosing a clinic)."""
    vars(view)["enrolment_exempt"] = True
    return view


def must_enrol(request: HttpRequest) -> bool:
    """Whether the signed-in user must set up a second factor before anything else (cached on the request)."""
    cached = vars(request).get("_must_enrol")
    if cached is None:
        from .factors import needs_enrolment

        user = request.user
        cached = bool(user.is_authenticated and needs_enrolment(user, getattr(request, "role", None),  # type: ignore[arg-type]
                                                                getattr(request, "clinic", None)))
        vars(request)["_must_enrol"] = cached
    return bool(cached)


def enrolment_redirect(request: HttpRequest, view: Callable[..., Any]) -> HttpResponse | None:
    """Send a user who must enrol to the enrolment page, unless the view is part of enrolment."""
    if getattr(view, "enrolment_exempt", False) or not must_enrol(request):
        return None
    return redirect("accounts:two_factor")


def mark_authenticated(request: HttpRequest) -> None:
    """Note that the user has just proved who they are (sign-in or step-up)."""
    if hasattr(request, "session"):
        request.session["auth_at"] = time.time()


def recently_authenticated(request: HttpRequest) -> bool:
    at = request.session.get("auth_at") if hasattr(request, "session") else None
    return isinstance(at, int | float) and time.time() - at <= STEP_UP_SECONDS


def step_up(view: V) -> V:
    """Ask for the password (and second factor) again unless the user proved who they are in the last 5 minutes."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not recently_authenticated(request):
            return redirect(f"{reverse('accounts:reauth')}?next={quote(request.get_full_path())}")
        response: HttpResponse = view(request, *args, **kwargs)
        return response

    return wrapped  # type: ignore[return-value]


def refuse_without_step_up(request: HttpRequest) -> None:
    """For an API operation: a browser session must have proved itself in the last 5 minutes (a token is a machine's)."""
    if not vars(request).get("via_token") and not recently_authenticated(request):
        raise PermissionDenied("Confirm your password first (step-up at /accounts/confirm/), then repeat the request.")


def on_logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """A completed sign-in (password and second factor) is a fresh proof for step-up."""
    if request is not None:
        mark_authenticated(request)
