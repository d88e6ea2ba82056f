"""Protocols, course orders and booking through the services."""

from decimal import Decimal

import pytest

from audit.models import AuditEvent
from courses import services
from courses.models import TreatmentCourse
from ketacare.testing import (
    make_eligible_patient,
    make_patient,
    make_protocol,
)
from toolkit.errors import ServiceError

pytestmark = pytest.mark.django_db


def test_protocol_defaults_follow_feder_2021(world):
    p = make_protocol(world)
    assert (p.n_infusions, p.mg_per_kg, p.infusion_min, p.weight_basis) == (6, Decimal("0.50"), 40, "actual")
    assert p.thresholds["sbp_do_not_start"] == 160 and p.thresholds["spo2_stop_below"] == 90


@pytest.mark.parametrize(("values", "field"), [
    ({"mg_per_kg": Decimal("0.9")}, "mg_per_kg"),  # above the protocol's own max 0.75
    ({"mg_per_kg": Decimal("0")}, "mg_per_kg"),
    ({"n_infusions": 6, "min_hours_between": 72, "max_span_days": 14}, "max_span_days"),
    ({"vial_mg_per_ml": Decimal("25")}, "vial_mg_per_ml"),
])
def test_impossible_protocols_are_refused(world, values, field):
    with pytest.raises(ServiceError) as exc:
        make_protocol(world, **values)
    assert field in exc.value.field_errors


def test_a_course_is_ordered_only_for_a_signed_eligible_patient(world):
    protocol = make_protocol(world)
    with pytest.raises(ServiceError, match="signed eligible screening"):
        services.order_course(patient=make_patient(world), protocol=protocol, by=world.prescriber)
    course = services.order_course(patient=make_eligible_patient(world, mrn="E-1"), protocol=protocol, by=world.prescriber)
    assert course.protocol_snapshot["n_infusions"] == 6
    assert AuditEvent.objects.filter(action="course_order", object_id=str(course.pk)).exists()


def test_only_prescribers_order_courses(world):
    with pytest.raises(ServiceError, match="role"):
        services.order_course(patient=make_eligible_patient(world), protocol=make_protocol(world), by=world.nurse)


def test_a_dose_above_the_limit_needs_a_written_override(world):
    patient, protocol = make_eligible_patient(world), make_protocol(world)
    with pytest.raises(ServiceError, match="override"):
        services.order_course(patient=patient, protocol=protocol, mg_per_kg="0.8", by=world.prescriber)
    assert TreatmentCourse.objects.count() == 0
    course = services.order_course(patient=patient, protocol=protocol, mg_per_kg="0.8", override_reason="Partial response at 0.5", by=world.prescriber)
    assert course.override_reason == "Partial response at 0.5"


@pytest.mark.parametrize("dose", ["-0.5", "abc", "NaN", "3"])
def test_absurd_doses_are_refused(world, dose):
    with pytest.raises(ServiceError, match="dose must"):
        services.order_course(patient=make_eligible_patient(world), protocol=make_protocol(world), mg_per_kg=dose,
                              override_reason="x", by=world.prescriber)
    assert TreatmentCourse.objects.count() == 0


@pytest.mark.parametrize("dose", ["1.01", "2"])
def test_a_dose_above_the_hard_ceiling_is_refused_whatever_the_reason(world, dose):
    with pytest.raises(ServiceError, match="hard ceiling of 1.0 mg/kg") as err:
        services.order_course(patient=make_eligible_patient(world), protocol=make_protocol(world), mg_per_kg=dose,
                              override_reason="Treatment-resistant, agreed with the patient", by=world.prescriber)
    assert "mg_per_kg" in err.value.field_errors
    assert TreatmentCourse.objects.count() == 0


def test_the_clinic_admin_sets_the_ceiling(world):
    world.a.policy = dict(world.a.policy or {}, dose_ceiling_mg_per_kg="0.8")
    world.a.save(update_fields=["policy"])
    patient = make_eligible_patient(world)
    with pytest.raises(ServiceError, match="hard ceiling of 0.8 mg/kg"):
        services.order_course(patient=patient, protocol=make_protocol(world), mg_per_kg="0.9",
                              override_reason="Treatment-resistant, agreed with the patient", by=world.prescriber)


def test_an_override_reason_must_be_a_real_sentence(world):
    patient, protocol = make_eligible_patient(world), make_protocol(world)
    with pytest.raises(ServiceError, match="at least 15 characters") as err:
        services.order_course(patient=patient, protocol=protocol, mg_per_kg="0.8", override_reason="x", by=world.prescriber)
    assert "override_reason" in err.value.field_errors
    assert TreatmentCourse.objects.count() == 0


def test_the_course_api_refuses_a_dose_above_the_ceiling(world):
    import json

    from django.test import Client

    from accounts import services as accounts

    patient, protocol = make_eligible_patient(world), make_protocol(world)
    token = accounts.issue_token(user=world.prescriber, clinic=world.a, name="test", by="test")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    body = {"patient_id": patient.pk, "protocol_id": protocol.pk, "mg_per_kg": "1.5",
            "override_reason": "Treatment-resistant, agreed with the patient"}
    response = client.post("/api/courses/", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 400 and "hard ceiling" in response.json()["detail"]
    body |= {"mg_per_kg": "0.8", "override_reason": "x"}
    response = client.post("/api/courses/", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 400 and "15 characters" in response.json()["detail"]
    assert TreatmentCourse.objects.count() == 0
