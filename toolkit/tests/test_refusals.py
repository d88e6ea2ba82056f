"""One way to show a refusal: each field's problem on its form, the message on top; kernel errors name their field."""

import pytest
from django import forms

from clinical.errors import ClinicalError
from clinical.vitals import Reading
from toolkit.errors import ServiceError
from toolkit.forms import show_refusal


class _Dose(forms.Form):
    total_mg = forms.DecimalField(required=False)


class _Escort(forms.Form):
    escort_name = forms.CharField(required=False)


def test_refusal_puts_each_field_problem_on_the_form_that_has_it_and_the_message_on_top():
    dose, escort = _Dose({}), _Escort({})
    dose.is_valid(), escort.is_valid()
    show_refusal(dose, ServiceError("Nothing was saved.", {"total_mg": "Too high.", "escort_name": "Required."}), escort)
    assert dose.errors["total_mg"] == ["Too high."]
    assert escort.errors["escort_name"] == ["Required."]
    assert dose.non_field_errors() == ["Nothing was saved."]


def test_refusal_of_a_field_no_form_has_goes_on_top_and_top_false_leaves_the_message_off():
    dose = _Dose({})
    dose.is_valid()
    show_refusal(dose, ServiceError("Refused.", {"weight_kg": "Out of range."}), top=False)
    assert dose.non_field_errors() == ["Out of range."]


def test_refusal_from_the_kernel_lands_on_the_field_it_names():
    dose = _Dose({})
    dose.is_valid()
    show_refusal(dose, ClinicalError("total_mg 900 is above the limit.", field="total_mg"))
    assert dose.errors["total_mg"] == ["total_mg 900 is above the limit."]
    assert dose.non_field_errors() == ["total_mg 900 is above the limit."]


@pytest.mark.parametrize(("values", "field"), [
    ({"systolic_mmhg": 120, "diastolic_mmhg": 130}, "diastolic_mmhg"),
    ({"heart_rate_bpm": 400}, "heart_rate_bpm"),
    ({"spo2_pct": 140}, "spo2_pct"),
    ({"spo2_pct": 1.5}, "spo2_pct"),
])
def test_kernel_reading_errors_name_their_field(values, field):
    with pytest.raises(ClinicalError) as caught:
        Reading(**values)
    assert caught.value.field == field


def test_kernel_error_about_the_whole_input_names_no_field():
    with pytest.raises(ClinicalError) as caught:
        Reading()
    assert caught.value.field == ""


def test_service_error_from_the_kernel_keeps_the_field_and_may_reword_the_message():
    refusal = ServiceError.from_kernel(ClinicalError("spo2_pct 140 is impossible.", field="spo2_pct"), "Not saved.")
    assert refusal.as_dict() == {"detail": "Not saved.", "fields": {"spo2_pct": "spo2_pct 140 is impossible."}}
