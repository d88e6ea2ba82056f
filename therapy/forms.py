"""Forms of the therapy app."""

from typing import Any
from zoneinfo import ZoneInfo

from django import forms

from infusions.choices import NOT_HELD

from .choices import Modality, Timing


class IntegrationForm(forms.Form):
    held_on = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    duration_min = forms.IntegerField(label="Minutes", min_value=10, max_value=240, initial=50)
    modality = forms.ChoiceField(choices=Modality.choices)
    timing = forms.ChoiceField(choices=Timing.choices)
    infusions = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple,
                                          label="Linked infusions")
    goals = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=4000)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), required=False, max_length=20000)

    def __init__(self, *args: Any, patient: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sessions = patient.infusion_sessions.exclude(state__in=NOT_HELD).order_by("scheduled_start") if patient else []
        zone = ZoneInfo(patient.clinic.time_zone) if patient else None
        self.fields["infusions"].choices = [(str(s.pk), f"Infusion {s.number} · {s.scheduled_start.astimezone(zone):%Y-%m-%d}")
                                            for s in sessions]  # the clinic's day, as the later-infusion rule reads it


class AmendForm(IntegrationForm):
    reason = forms.CharField(label="Reason for the amendment", max_length=2000, min_length=10,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="Kept with the note and audited; the note as it was stays readable.")
