"""The page decorator: permission, one-query clinic load, 404/405, audited read."""

import pytest
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
from ketacare.testing import make_patient
from patients.models import Patient

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
