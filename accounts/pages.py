"""The view toolkit: one decorator for a clinic's page, one audited read, one way to show a refusal.

    @page(Perm.RECORD_VITALS, InfusionSession, select=SESSION_RELATED, methods=("POST",))
    def vitals(request, session): ...

checks the permission (as `allow`), loads the object of the URL's one object kwarg from the user's
clinic in one query (404 for another clinic's or an unknown id), answers 405 for a method the page
does not take (after the lookup, so another clinic still gets 404), and with `read="session_view"`
audits a GET of the object. A refusal goes on the page's forms with `toolkit.forms.show_refusal`.
"""

from collections.abc import Callable, Iterable, Sequence
from functools import wraps
from typing import Any

from django.db import models, transaction
from django.http import HttpResponse, HttpResponseNotAllowed

from accounts.permissions import Perm
from audit import services as audit
from toolkit.scoping import get_in_clinic

from .access import ClinicRequest, allow

View = Callable[..., HttpResponse]


def audit_read(request: ClinicRequest, action: str, *, patient: Any = None, obj: models.Model | None = None,
               clinic: Any = None, detail: dict[str, Any] | None = None, **more: Any) -> None:
    """Record that the signed-in user read something of their clinic (its own small transaction).

    The event's detail is `detail` plus the other keyword arguments (`count=3`, `via="api"`).
    """
    with transaction.atomic():
        audit.record(action=action, by=request.user, clinic=clinic or getattr(request, "clinic", None),
                     patient=patient, obj=obj, detail={**(detail or {}), **more} or None)


def patient_of(obj: Any) -> Any:
    """The patient an object concerns (the object itself for a patient), for the audit event."""
    if obj is None or obj._meta.model_name == "patient":
        return obj
    return getattr(obj, "patient_id", None)


def _object_kwarg(kwargs: dict[str, Any]) -> str:
    names = [k for k in kwargs if k.endswith("_id")]
    if len(names) != 1:
        raise TypeError(f"a page with a model takes exactly one object id in its URL, not {names}")
    return names[0]


def page(perm: Perm | str, model: type[models.Model] | None = None, *, select: Iterable[str] = (),
         methods: Sequence[str] = ("GET", "POST"), read: str = "") -> Callable[[View], View]:
    """Check `perm`, load the URL's object of `model` from the clinic (one query), refuse other methods, audit a GET."""
    related, allowed = tuple(select), tuple(methods)

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: ClinicRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            obj = None
            if model is not None:
                name = _object_kwarg(kwargs)
                obj = get_in_clinic(model, request.clinic, select=related, pk=kwargs.pop(name))
                args = (obj, *args)
            if request.method not in allowed:
                return HttpResponseNotAllowed(list(allowed))
            if read and request.method == "GET":
                audit_read(request, read, patient=patient_of(obj), obj=obj)
            return view(request, *args, **kwargs)

        return allow(perm)(wrapped)

    return decorate
