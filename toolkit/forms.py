"""Helpers shared by the apps' forms: the one way a page shows a refusal, and saves a posted form."""

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse

from clinical.errors import ClinicalError

from .errors import ServiceError


def show_refusal(form: forms.Form, exc: ServiceError | ClinicalError, *others: forms.Form, top: bool = True) -> None:
    """Show a refusal on the forms: each field's problem on the form that has the field, the message on top.

    A field no form has goes to the top of the first form. `top=False` leaves the message off the form
    (for pages that show it as a flash message instead).
    """
    refusal = exc if isinstance(exc, ServiceError) else ServiceError.from_kernel(exc)
    for field, problem in refusal.field_errors.items():
        owner = next((f for f in (form, *others) if field in f.fields), None)
        if owner is None:
            form.add_error(None, problem)
        elif field not in owner.errors:
            owner.add_error(field, problem)
    if top:
        form.add_error(None, refusal.message)


def passed_values(form: forms.Form) -> dict[str, Any]:
    """The values of the fields a submitted form's own checks passed ({} for a form that was not submitted)."""
    return dict(getattr(form, "cleaned_data", None) or {}) if form.is_bound else {}


def show_problems(form: forms.Form, problems: dict[str, str], *others: forms.Form) -> None:
    """Add the service's problems to a form its own checks refused, on the fields those checks passed.

    So one submit names every problem (issue 10): a bad duration and a later infusion together, not one per submit.
    """
    if form.is_bound:
        show_refusal(form, ServiceError("", problems), *others, top=False)


T = TypeVar("T")


def submit(request: HttpRequest, form: forms.Form, write: Callable[[dict[str, Any]], T], *,
           done: str | Callable[[T], str], then: Callable[[T], HttpResponse]) -> HttpResponse | None:
    """Save a valid POST with `write(form.cleaned_data)`; flash `done` and answer `then(result)`.

    None when there is nothing to answer yet: not a POST, the form is invalid, or the service refused
    (the refusal is then on the form). The page renders the form again, with status 400 if it has errors.
    """
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = write(form.cleaned_data)
    except ServiceError as exc:
        show_refusal(form, exc)
        return None
    messages.success(request, done(result) if callable(done) else done)
    return then(result)


def choice_field(form: forms.Form, name: str) -> forms.ModelChoiceField:
    """The form's model-choice field `name`, to scope its rows and labels to a clinic."""
    field = form.fields[name]
    if not isinstance(field, forms.ModelChoiceField):
        raise TypeError(f"{type(form).__name__}.{name} is not a model choice field")
    return field
