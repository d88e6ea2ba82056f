"""The courses API: protocol tables merged with the kernel's defaults, orders kept to the clinic."""

import pytest

from courses.defaults import DEFAULT_THRESHOLDS
from courses.models import Protocol, TreatmentCourse
from ketacare.testing import api_caller, make_course, make_eligible_patient, make_protocol

pytestmark = pytest.mark.django_db


def test_a_protocol_created_through_the_api_takes_the_defaults(world):
    response = api_caller(world.clinic_admin, world.a)("POST", "/courses/protocols", {"name": "Plain"})
    assert response.status_code == 201
    body = response.json()
    assert (body["n_infusions"], body["infusion_min"], body["weight_basis"]) == (6, 40, "actual")
    assert body["thresholds"] == dict(DEFAULT_THRESHOLDS)


def test_edited_thresholds_are_merged_over_the_defaults(world):
    response = api_caller(world.clinic_admin, world.a)("POST", "/courses/protocols",
                                                      {"name": "Strict", "thresholds": {"sbp_do_not_start": 150}})
    assert response.status_code == 201
    assert response.json()["thresholds"] == {**DEFAULT_THRESHOLDS, "sbp_do_not_start": 150}


def test_an_unknown_threshold_is_refused_and_nothing_is_saved(world):
    response = api_caller(world.clinic_admin, world.a)("POST", "/courses/protocols",
                                                      {"name": "Typo", "thresholds": {"sbp_pauze": 170}})
    assert response.status_code == 400 and "thresholds" in response.json()["fields"]
    assert not Protocol.objects.exists()


def test_an_unknown_weight_basis_is_a_422(world):
    response = api_caller(world.clinic_admin, world.a)("POST", "/courses/protocols", {"name": "X", "weight_basis": "lean"})
    assert response.status_code == 422


def test_a_prescriber_orders_a_course_for_a_patient_of_the_clinic_only(world):
    call = api_caller(world.prescriber, world.a)
    protocol = make_protocol(world)
    theirs = make_eligible_patient(world, world.b, mrn="B-1")
    assert call("POST", "/courses/", {"patient_id": theirs.pk, "protocol_id": protocol.pk}).status_code == 404
    mine = make_eligible_patient(world, mrn="A-1")
    response = call("POST", "/courses/", {"patient_id": mine.pk, "protocol_id": protocol.pk})
    assert response.status_code == 201 and response.json()["mg_per_kg"] == "0.50"
    assert TreatmentCourse.objects.get().patient == mine


def test_another_clinics_course_is_not_found(world):
    course = make_course(world, world.b)
    assert api_caller(world.prescriber, world.a)("GET", f"/courses/{course.pk}").status_code == 404


def test_a_course_ends_through_the_api_only_as_completed_or_stopped(world):
    course = make_course(world)
    call = api_caller(world.prescriber, world.a)
    assert call("POST", f"/courses/{course.pk}/end", {"status": "active"}).status_code == 422
    stopped = call("POST", f"/courses/{course.pk}/end", {"status": "stopped", "reason": "Moved away"})
    assert stopped.status_code == 200 and stopped.json()["status"] == "stopped"


def test_a_nurse_may_read_protocols_but_not_write_them(world):
    make_protocol(world)
    call = api_caller(world.nurse, world.a)
    assert [p["name"] for p in call("GET", "/courses/protocols").json()] == ["Standard 6 x 0.5 mg/kg"]
    assert call("POST", "/courses/protocols", {"name": "Mine"}).status_code == 403
