"""The instruments page: which wording each instrument shows, and importing official wording (ADR 0006)."""

import json

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from accounts.access import ClinicRequest, allow
from accounts.permissions import Perm
from clinical.instruments import INSTRUMENTS
from measures import queries
from measures.choices import short_name
from toolkit.errors import ServiceError
from toolkit.forms import show_refusal

from ..forms import WordingForm
from .wording import import_wording


@allow(Perm.IMPORT_WORDING)
def instruments(request: ClinicRequest) -> HttpResponse:
    choices = [(i.id, i.name) for i in INSTRUMENTS.values()]
    form = WordingForm(request.POST or None, request.FILES or None, instruments=choices)
    if request.method == "POST" and form.is_valid():
        raw = form.cleaned_data["file"].read(5_000_001)
        try:
            if len(raw) > 5_000_000:
                raise ServiceError("The file is larger than 5 MB; is this a Questionnaire?")
            try:
                data = json.loads(raw)
            except (UnicodeDecodeError, json.JSONDecodeError):
                raise ServiceError("The file is not JSON; nothing was imported.") from None
            row = import_wording(data=data, raw=raw, instrument_id=form.cleaned_data["instrument"] or None,
                                 clinic=request.clinic, by=request.user)
        except ServiceError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, f"Wording for {short_name(row.instrument)} imported ({len(row.items)} items).")
            return redirect("interop:instruments")
    rows = [(i, queries.wording_for(request.clinic, i.id)) for i in INSTRUMENTS.values()]
    return render(request, "interop/instruments.html", {"rows": rows, "form": form},
                  status=400 if form.errors else 200)
