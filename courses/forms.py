"""Forms of the courses app."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from toolkit.forms import choice_field

from .choices import WeightBasis
from .models import Protocol


class ProtocolForm(forms.ModelForm):
    def _post_clean(self) -> None:
        """Build the instance without checking the database constraints here: the service's whole-protocol check
        (kernel, ADR 0017) names every problem in words beside its field, where Django would show one constraint's
        internal name; the constraints stay the database's last guard."""
        try:
            self.instance = forms.models.construct_instance(self, self.instance, self._meta.fields, self._meta.exclude)
            self.instance.full_clean(exclude=self._get_validation_exclusions(), validate_unique=False,
                                     validate_constraints=False)
        except ValidationError as exc:
            self._update_errors(exc)

    class Meta:
        model = Protocol
        fields = ["name", "n_infusions", "min_hours_between", "max_span_days", "mg_per_kg", "infusion_min",
                  "max_mg_per_kg", "max_total_mg", "weight_basis", "vial_mg_per_ml", "bag_volume_ml",
                  "bp_every_min_infusing", "bp_every_min_recovering", "active"]
        labels = {"n_infusions": "Number of infusions", "min_hours_between": "Minimum hours between infusions",
                  "max_span_days": "Maximum course span (days)", "mg_per_kg": "Dose (mg/kg)",
                  "infusion_min": "Infusion time (min)", "max_mg_per_kg": "Limit: max mg/kg",
                  "max_total_mg": "Limit: max total mg", "vial_mg_per_ml": "Vial strength (mg/mL)",
                  "bag_volume_ml": "Final bag volume (mL)", "bp_every_min_infusing": "BP every (min) while infusing",
                  "bp_every_min_recovering": "BP every (min) while recovering"}


THRESHOLD_LABELS = {
    "sbp_do_not_start": "Do not start if systolic ≥", "dbp_do_not_start": "Do not start if diastolic ≥",
    "sbp_pause": "Pause if systolic ≥", "dbp_pause": "Pause if diastolic ≥",
    "spo2_warn_below": "Warn if SpO2 <", "spo2_stop_below": "Stop if SpO2 <",
    "hr_warn_above": "Warn if heart rate >", "rr_warn_below": "Warn if respiratory rate <",
}


class ThresholdForm(forms.Form):
    """Vital-sign thresholds of a protocol (CLINICAL.md section 3, Policy defaults)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, label in THRESHOLD_LABELS.items():
            self.fields[key] = forms.IntegerField(label=label, min_value=1, max_value=300)


class OrderForm(forms.Form):
    protocol = forms.ModelChoiceField(queryset=Protocol.objects.none())
    mg_per_kg = forms.DecimalField(label="Dose (mg/kg)", max_digits=4, decimal_places=2, required=False,
                                   help_text="Leave empty for the protocol's dose.")
    weight_basis = forms.ChoiceField(choices=[("", "Protocol default"), *WeightBasis.choices], required=False)
    override_reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000,
                                      help_text="Required only for a dose above the protocol limit.")
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=4000)

    def __init__(self, *args: Any, clinic: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        protocols = Protocol.objects.in_clinic(clinic).filter(active=True)
        choice_field(self, "protocol").queryset = protocols
        choice_field(self, "protocol").empty_label = None
        choice_field(self, "protocol").initial = protocols.first()


class EndCourseForm(forms.Form):
    status = forms.ChoiceField(choices=[("completed", "Completed"), ("stopped", "Stopped")])
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)
