"""Forms of the patients app: they parse and check types; services check the rules."""

from django import forms

from .choices import (
    PSYCHOTHERAPIES,
    AllergySeverity,
    PtsdDiagnosis,
    Sex,
    TraumaKind,
    TreatmentKind,
    TreatmentOutcome,
)

PHONE_HELP = "With the area code, e.g. (202) 555-0143, or +country code for a number abroad; stored as +12025550143."


class PatientForm(forms.Form):
    mrn = forms.CharField(label="MRN", max_length=32)
    given_name = forms.CharField(max_length=80)
    family_name = forms.CharField(max_length=80)
    date_of_birth = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    sex = forms.ChoiceField(choices=Sex.choices)
    height_cm = forms.DecimalField(label="Height (cm)", max_digits=5, decimal_places=1, required=False,
                                   widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}))
    weight_kg = forms.DecimalField(label="Weight (kg)", max_digits=5, decimal_places=1, required=False,
                                   widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}))
    phone = forms.CharField(max_length=32, required=False, help_text=PHONE_HELP,
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}))
    email = forms.EmailField(required=False)
    escort_name = forms.CharField(label="Escort name", max_length=120, required=False)
    escort_phone = forms.CharField(label="Escort phone", max_length=32, required=False, help_text=PHONE_HELP,
                                   widget=forms.TextInput(attrs={"type": "tel"}))
    diagnosis_code = forms.ChoiceField(label="PTSD diagnosis (ICD-10-CM)", choices=PtsdDiagnosis.choices, required=False)
    referral_source = forms.CharField(max_length=120, required=False)
    medical_history = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class TraumaForm(forms.Form):
    kind = forms.ChoiceField(choices=TraumaKind.choices)
    year = forms.IntegerField(required=False, min_value=1900, max_value=2100)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)


class PriorTreatmentForm(forms.Form):
    kind = forms.ChoiceField(choices=TreatmentKind.choices)
    name = forms.CharField(max_length=80, help_text=f"Therapy ({', '.join(PSYCHOTHERAPIES[:3])}…) or drug name")
    dose = forms.CharField(max_length=80, required=False)
    weeks = forms.IntegerField(required=False, min_value=1, max_value=520)
    adequate = forms.BooleanField(required=False, label="Adequate dose and duration")
    outcome = forms.ChoiceField(choices=TreatmentOutcome.choices)


class MedicationForm(forms.Form):
    name = forms.CharField(max_length=80)
    dose = forms.CharField(max_length=80, required=False)


def clean_values(form: forms.Form) -> dict[str, object]:
    """Form data with empty optional strings kept as '' and empty numbers as None."""
    return dict(form.cleaned_data)


class AllergyForm(forms.Form):
    substance = forms.CharField(label="Drug or substance", max_length=80)
    reaction = forms.CharField(max_length=200, required=False, help_text="What happened, e.g. hives, anaphylaxis")
    severity = forms.ChoiceField(choices=AllergySeverity.choices, initial=AllergySeverity.UNKNOWN)


INTAKE_FORM_CLASSES: dict[str, type[forms.Form]] = {
    "trauma": TraumaForm, "treatment": PriorTreatmentForm, "medication": MedicationForm, "allergy": AllergyForm,
}


def amend_form_class(kind: str) -> type[forms.Form]:
    """The intake form of `kind` plus the reason every amendment needs."""
    reason = forms.CharField(label="Reason for the amendment", max_length=2000, min_length=10,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="Kept with the record and audited; the values before stay readable.")
    return type(f"Amend{INTAKE_FORM_CLASSES[kind].__name__}", (INTAKE_FORM_CLASSES[kind],), {"reason": reason})
