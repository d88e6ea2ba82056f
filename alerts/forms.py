"""Forms of the alerts app."""

from django import forms

from .choices import ReviewDecision


class AckForm(forms.Form):
    action_note = forms.CharField(label="Action taken", max_length=4000, widget=forms.TextInput())


class ReviewForm(forms.Form):
    """A prescriber's review of an alert that blocks the chair (ADR 0016)."""

    decision = forms.ChoiceField(label="Decision", choices=ReviewDecision.choices, widget=forms.RadioSelect,
                                 error_messages={"required": "Choose the decision: proceed or hold."})
    reason = forms.CharField(label="Reason for the decision", max_length=4000,
                             error_messages={"required": "Write the reason for the decision."},
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="What you assessed and why: who spoke with the patient, the risk now, the plan.")
