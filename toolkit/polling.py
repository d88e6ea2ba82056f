"""Polled page parts (htmx `every 3s`): they neither keep a signed-in session alive nor audit every poll.

A poll is not the user at work, so it does not move the idle clock (accounts.middleware), and a
poll that shows nothing new writes nothing: a polled view is audited when what it shows differs
from what was last recorded for this user and page, at most once a minute per user and page.
"""

import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse

POLL_AUDIT_SECONDS = 60
_SESSION_KEY = "polls_audited"


def polled(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark a view as polled: its requests do not count as activity for the idle timeout."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        request.polled = True  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    wrapped.polled = True  # type: ignore[attr-defined]
    return wrapped


def is_poll(request: HttpRequest) -> bool:
    return bool(getattr(request, "polled", False))


def audit_poll(request: HttpRequest, page: str, shown: Any, record: Callable[[], None]) -> bool:
    """Call `record` if `shown` (what the poll displays) is new for this user and page and a minute has passed."""
    audited = request.session.get(_SESSION_KEY, {})
    fingerprint, now = repr(shown), time.time()
    last = audited.get(page)
    if last is not None and (last[0] == fingerprint or now - last[1] < POLL_AUDIT_SECONDS):
        return False
    record()
    request.session[_SESSION_KEY] = {**audited, page: [fingerprint, now]}
    return True
