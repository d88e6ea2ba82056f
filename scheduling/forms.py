"""Forms of the scheduling app."""

from typing import Any

from django import forms

from toolkit.forms import choice_field

from .models import Chair


class BookingForm(forms.Form):
    chair = forms.ModelChoiceField(queryset=Chair.objects.none())
    starts_at = forms.DateTimeField(label="Start", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                    input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])

    def __init__(self, *args: Any, clinic: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "chair").queryset = Chair.objects.in_clinic(clinic).filter(active=True)


class ChairForm(forms.Form):
    name = forms.CharField(max_length=40)
    location_code = forms.CharField(max_length=40, required=False, help_text="Bed/point of care the monitor sends in PV1-3")


class BackEntryForm(BookingForm):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000,
                             help_text="Why the session is entered afterwards (paper record, system outage...).")


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=2000)


class RescheduleForm(BookingForm):
    reason = forms.CharField(max_length=2000)
