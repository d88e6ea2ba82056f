"""The view toolkit: the page decorator (permission, one-query clinic load, 404/405, audited read) and refusals."""

import pytest
from django import forms
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from accounts.choices import Role
from accounts.models import Membership
from accounts.pages import page
from accounts.permissions import Perm
from audit.models import AuditEvent
from clinical.errors import ClinicalError
from clinical.vitals import Reading
from ketacare.testing import make_patient
from patients.models import Patient
from toolkit.errors import ServiceError
from toolkit.forms import show_refusal

pytestmark = pytest.mark.django_db


@page(Perm.VIEW_PATIENTS, Patient, select=("clinic",), methods=("GET",), read="toolkit_view")
def _patient_page(request, patient):
    return HttpResponse(f"{patient.mrn} of {patient.clinic.name}")


def _request(world, role, method="GET", clinic=None, user=None):
    request = getattr(RequestFactory(), method.lower())("/x/")
    request.user = user or world.users[role]
    request.clinic = clinic or world.a
    request.membership = Membership.objects.get(user=request.user, clinic=request.clinic)
    request.role = role
    return request


def test_page_loads_the_clinic_object_with_its_relations_in_one_query(world):
    patient = make_patient(world)
    request = _request(world, Role.NURSE)
    with CaptureQueriesContext(connection) as queries:
        response = _patient_page(request, patient_id=patient.pk)
    selects = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")
               and "patients_patient" in q["sql"]]
    assert response.status_code == 200 and b"Clinic A" in response.content
    assert len(selects) == 1 and "accounts_clinic" in selects[0]


def test_page_answers_404_for_another_clinics_object_and_for_an_unknown_id(world):
    theirs = make_patient(world, clinic=world.b)
    with pytest.raises(Http404):
        _patient_page(_request(world, Role.NURSE), patient_id=theirs.pk)
    with pytest.raises(Http404):
        _patient_page(_request(world, Role.NURSE), patient_id=987654)


def test_page_answers_405_for_a_wrong_method_but_404_first_for_another_clinic(world):
    ours, theirs = make_patient(world), make_patient(world, clinic=world.b, mrn="B-1")
    assert _patient_page(_request(world, Role.NURSE, "POST"), patient_id=ours.pk).status_code == 405
    with pytest.raises(Http404):
        _patient_page(_request(world, Role.NURSE, "POST"), patient_id=theirs.pk)


def test_page_refuses_a_role_without_the_permission_before_loading(world):
    patient = make_patient(world)
    with pytest.raises(PermissionDenied):
        _patient_page(_request(world, Role.RESEARCHER), patient_id=patient.pk)


def test_page_audits_a_get_of_the_object_with_its_patient(world):
    patient = make_patient(world)
    _patient_page(_request(world, Role.NURSE), patient_id=patient.pk)
    event = AuditEvent.objects.get(action="toolkit_view")
    assert event.patient_id == patient.pk and event.actor == world.users[Role.NURSE] and event.clinic == world.a


def test_page_does_not_audit_a_refused_method(world):
    patient = make_patient(world)
    _patient_page(_request(world, Role.NURSE, "POST"), patient_id=patient.pk)
    assert not AuditEvent.objects.filter(action="toolkit_view").exists()


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
