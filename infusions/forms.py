"""Forms of the chairside screens: they check shapes; the services check the rules."""

from collections.abc import Sequence
from typing import Any

from django import forms

from clinical.discharge import SCALES, ScoreKind
from clinical.instruments import get_instrument

from .choices import AdverseAction, AdverseOutcome, PregnancyTest, Relatedness, Severity, SideEffect

NUM = {"inputmode": "decimal", "autocomplete": "off"}


def _num(label: str, required: bool = False, **attrs: Any) -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=12, widget=forms.TextInput(attrs=NUM | attrs))


class VitalsForm(forms.Form):
    systolic_mmhg = _num("Systolic (mmHg)", autofocus=True, **{"data-autofocus": ""})
    diastolic_mmhg = _num("Diastolic (mmHg)")
    heart_rate_bpm = _num("Heart rate (/min)")
    spo2_pct = _num("SpO2 (%)")
    resp_rate_per_min = _num("Resp. rate (/min)")
    etco2_mmhg = _num("EtCO2 (mmHg)")


class BaselineForm(VitalsForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("systolic_mmhg", "diastolic_mmhg", "heart_rate_bpm", "spo2_pct"):
            self.fields[name].required = True
        self.fields["systolic_mmhg"].widget.attrs.pop("autofocus", None)


class CheckInForm(forms.Form):
    identity_confirmed = forms.BooleanField(label="Identity confirmed (name and date of birth)", required=False)
    weight_kg = _num("Today's weight (kg)", required=True, autofocus=True)
    weight_confirmed = forms.BooleanField(label="Weight confirmed although it differs from the last one", required=False)
    weight_reason = forms.CharField(label="Why the weight differs (only when asked)", max_length=500, required=False)
    escort_name = forms.CharField(label="Escort present (name)", max_length=120, required=False)
    escort_phone = forms.CharField(label="Escort contact number", max_length=32, required=False)
    consent_current = forms.BooleanField(label="Consent current", required=False)
    fasting_confirmed = forms.BooleanField(label="Fasting confirmed", required=False)
    pregnancy_test = forms.ChoiceField(label="Pregnancy test", choices=PregnancyTest.choices)

    def __init__(self, *args: Any, due: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for item in due:
            self.fields[f"waive_{item.key}"] = forms.CharField(
                label=f"Due: {item.label} — reason to waive (blank if done)", required=False, max_length=500)

    def waivers(self) -> dict[str, str]:
        return {k.removeprefix("waive_"): v for k, v in self.cleaned_data.items() if k.startswith("waive_") and v}


class VerifyForm(forms.Form):
    """The second clinician's own figures and their proof of who they are, typed by them at this screen (ADR 0016)."""

    total_mg = _num("Total dose you computed (mg)", required=True, autofocus=True)
    rate_ml_per_h = _num("Pump rate you computed (mL/h)", required=True)
    verifier = forms.CharField(label="Second clinician (your username)", max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "off"}))
    verifier_password = forms.CharField(label="Your password", strip=False, max_length=4096,
                                        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
                                        help_text="Typed by the second clinician, not by the nurse who checked the patient in.")


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Reason", max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class NoteForm(forms.Form):
    note = forms.CharField(label="Note", max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


class CadssForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instrument = get_instrument("cadss")
        for n, item in enumerate(instrument.items):
            choices = [("", "—")] + [(str(o.value), f"{o.value} {o.label}") for o in item.options]
            self.fields[item.id] = forms.ChoiceField(label=item.label, choices=choices, required=False)
            if n == 0:
                self.fields[item.id].widget.attrs["autofocus"] = True

        self.fields["incomplete_reason"] = forms.CharField(
            label="Incomplete: why some items are unanswered (only then)", max_length=500, required=False,
            widget=forms.Textarea(attrs={"rows": 2}))

    def answers(self) -> list[int | None]:
        return [int(v) if v != "" else None for k, v in self.cleaned_data.items() if k != "incomplete_reason"]


class SideEffectsForm(forms.Form):
    items = forms.MultipleChoiceField(label="Side effects observed", choices=SideEffect.choices, required=False,
                                      widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label="Note", max_length=2000, required=False)


class AdverseEventForm(forms.Form):
    description = forms.CharField(max_length=300)
    onset_at = forms.DateTimeField(label="Onset (blank = now)", required=False,
                                   widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    severity = forms.ChoiceField(choices=Severity.choices)
    serious = forms.BooleanField(label="Serious (life-threatening, hospitalisation, disability or death)", required=False)
    relatedness = forms.ChoiceField(label="Related to ketamine", choices=Relatedness.choices)
    action_taken = forms.ChoiceField(choices=AdverseAction.choices)
    outcome = forms.ChoiceField(choices=AdverseOutcome.choices)


class DischargeForm(forms.Form):
    escort_confirmed = forms.BooleanField(label="Responsible adult escort confirmed", required=False)
    override_reason = forms.CharField(label="Prescriber's override reason (only when a criterion is unmet)",
                                      max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, kind: ScoreKind, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n, item in enumerate(SCALES[kind].items):
            choices = [(str(v), str(v)) for v in range(item.max_score, -1, -1)]
            self.fields[f"score_{item.key}"] = forms.ChoiceField(label=item.label, choices=choices)
            if n == 0:
                self.fields[f"score_{item.key}"].widget.attrs["autofocus"] = True
        self.order_fields([f"score_{i.key}" for i in SCALES[kind].items])

    def scores(self) -> dict[str, str]:
        return {k.removeprefix("score_"): v for k, v in self.cleaned_data.items() if k.startswith("score_")}
