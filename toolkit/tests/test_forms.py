"""The one way a page saves a posted form: `submit` writes a valid POST, shows a refusal, or does nothing."""

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.http import HttpResponse
from django.test import RequestFactory

from toolkit.errors import ServiceError
from toolkit.forms import submit


class ChairForm(forms.Form):
    name = forms.CharField(max_length=20)


def _request(method: str, data: dict[str, str] | None = None):
    request = getattr(RequestFactory(), method.lower())("/", data or {})
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def _done(result: str) -> HttpResponse:
    return HttpResponse(f"saved {result}", status=302)


def test_submit_writes_a_valid_post_flashes_and_answers_then():
    request = _request("POST", {"name": "Chair 1"})
    written = []
    answer = submit(request, ChairForm(request.POST), lambda data: written.append(data["name"]) or "c1",
                    done=lambda result: f"{result} added.", then=_done)
    assert written == ["Chair 1"]
    assert answer is not None and answer.content == b"saved c1"
    assert [m.message for m in get_messages(request)] == ["c1 added."]


@pytest.mark.parametrize("method, data", [("GET", {}), ("POST", {"name": ""})])
def test_submit_writes_nothing_for_a_get_or_an_invalid_form(method, data):
    request = _request(method, data)
    form = ChairForm(request.POST if method == "POST" else None)
    written = []
    assert submit(request, form, written.append, done="added", then=_done) is None
    assert written == []
    assert list(get_messages(request)) == []


def test_submit_shows_a_refusal_on_the_form_and_flashes_nothing():
    request = _request("POST", {"name": "Chair 1"})
    form = ChairForm(request.POST)

    def refuse(data):
        raise ServiceError("A chair of that name exists.", {"name": "Taken."})

    assert submit(request, form, refuse, done="added", then=_done) is None
    assert form.errors["name"] == ["Taken."]
    assert form.non_field_errors() == ["A chair of that name exists."]
    assert list(get_messages(request)) == []
