"""Helpers shared by the apps' forms."""

from django import forms

from .errors import ServiceError


def attach_service_error(form: forms.Form, exc: ServiceError) -> None:
    """Show a service's refusal on the form: per field where it names one, and as a form error."""
    for field, message in exc.field_errors.items():
        if field in form.fields:
            form.add_error(field, message)
    form.add_error(None, exc.message)
