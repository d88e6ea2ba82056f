"""The clinic admin's nurse shifts (weekly pattern and dated exceptions) and a patient's availability windows."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import time
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.access import ClinicRequest, allow
from accounts.choices import Role
from accounts.pages import audit_read, page
from accounts.permissions import Perm
from accounts.queries import staff_with_role
from patients.models import Patient
from toolkit.errors import ServiceError
from toolkit.scoping import get_in_clinic

from . import services
from .choices import WEEKDAY_CHOICES
from .models import NurseShift, PatientAvailability, ShiftException

R = Role
TIME = forms.TimeInput(attrs={"type": "time"})


class ShiftForm(forms.Form):
    nurse = forms.ChoiceField()
    weekday = forms.TypedChoiceField(choices=WEEKDAY_CHOICES, coerce=int)
    starts = forms.TimeField(widget=TIME)
    ends = forms.TimeField(widget=TIME)

    def __init__(self, *args: Any, nurses: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["nurse"].choices = [(n.pk, n.get_full_name() or n.username) for n in nurses]


class ExceptionForm(forms.Form):
    nurse = forms.ChoiceField()
    on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    starts = forms.TimeField(widget=TIME, required=False, help_text="Leave both times empty for a day off.")
    ends = forms.TimeField(widget=TIME, required=False)
    reason = forms.CharField(max_length=200, required=False)

    def __init__(self, *args: Any, nurses: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["nurse"].choices = [(n.pk, n.get_full_name() or n.username) for n in nurses]


def _write(request: ClinicRequest, form: forms.Form, nurses: dict, kind: str) -> bool:
    data = dict(form.cleaned_data)
    nurse = nurses[int(data.pop("nurse"))]
    try:
        if kind == "shift":
            services.add_nurse_shift(clinic=request.clinic, nurse=nurse, by=request.user, **data)
        else:
            services.set_shift_exception(clinic=request.clinic, nurse=nurse, by=request.user, **data)
    except ServiceError as exc:
        form.add_error(None, exc.message)
        return False
    return True


@allow(Perm.MANAGE_NURSE_SHIFTS)
def shifts(request: ClinicRequest) -> HttpResponse:
    clinic = request.clinic
    nurses = {n.pk: n for n in staff_with_role(clinic, R.NURSE)}
    kind = request.POST.get("kind", "")
    shift_form = ShiftForm(request.POST if kind == "shift" else None, nurses=nurses.values(), prefix="shift")
    exc_form = ExceptionForm(request.POST if kind == "exception" else None, nurses=nurses.values(), prefix="exc")
    if request.method == "POST" and kind == "remove":
        shift = get_in_clinic(NurseShift, clinic, pk=request.POST.get("shift", "0"))
        services.remove_nurse_shift(shift=shift, by=request.user)
        messages.success(request, "Shift removed.")
        return redirect("scheduling:shifts")
    form = shift_form if kind == "shift" else exc_form
    if request.method == "POST" and kind in {"shift", "exception"} and form.is_valid() \
            and _write(request, form, nurses, kind):
        messages.success(request, "Saved.")
        return redirect("scheduling:shifts")
    audit_read(request, "shifts_view", clinic=clinic)
    return render(request, "scheduling/shifts.html", {
        "shift_form": shift_form, "exc_form": exc_form,
        "shifts": NurseShift.objects.in_clinic(clinic).filter(active=True).select_related("nurse"),
        "exceptions": ShiftException.objects.in_clinic(clinic).filter(on__gte=timezone.localdate(timezone=ZoneInfo(clinic.time_zone))).select_related("nurse")},
        status=400 if request.method == "POST" else 200)


def _windows(post: QueryDict) -> tuple[list[tuple[int, time, time]], list[str]]:
    windows, errors = [], []
    for weekday, name in WEEKDAY_CHOICES:
        raw_start, raw_end = post.get(f"start_{weekday}", "").strip(), post.get(f"end_{weekday}", "").strip()
        if not raw_start and not raw_end:
            continue
        try:
            windows.append((weekday, time.fromisoformat(raw_start), time.fromisoformat(raw_end)))
        except ValueError:
            errors.append(f"{name}: give both times as HH:MM.")
    return windows, errors


@page(Perm.RECORD_AVAILABILITY, Patient)
def availability(request: ClinicRequest, patient: Patient) -> HttpResponse:
    """The patient's weekly windows (one per weekday here); none means any time the clinic is open."""
    errors: list[str] = []
    if request.method == "POST":
        windows, errors = _windows(request.POST)
        if not errors:
            try:
                services.set_patient_availability(patient=patient, windows=windows, by=request.user)
            except ServiceError as exc:
                errors = [exc.message]
            else:
                messages.success(request, "Availability saved.")
                return redirect("scheduling:availability", patient_id=patient.pk)
    else:
        audit_read(request, "availability_view", clinic=patient.clinic, patient=patient.pk)
    current = {w.weekday: w for w in PatientAvailability.objects.filter(patient=patient)}
    rows = [{"weekday": d, "name": name, "w": current.get(d)} for d, name in WEEKDAY_CHOICES]
    return render(request, "scheduling/availability.html", {"patient": patient, "rows": rows, "errors": errors},
                  status=400 if errors else 200)
