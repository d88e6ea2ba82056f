"""A protocol is checked as a whole before saving (issue 14 item 5): form and API refuse, nothing written."""

import pytest

from audit.models import AuditEvent
from courses.models import Protocol
from courses.services import snapshot
from ketacare.testing import api_caller, make_protocol

pytestmark = pytest.mark.django_db

FORM = {"name": "Page protocol", "n_infusions": 6, "min_hours_between": 44, "max_span_days": 14, "mg_per_kg": "0.50",
        "infusion_min": 40, "max_mg_per_kg": "0.75", "max_total_mg": "100.0", "weight_basis": "actual",
        "vial_mg_per_ml": "10.0", "bag_volume_ml": "100.0", "bp_every_min_infusing": 10,
        "bp_every_min_recovering": 15, "active": "on", "sbp_do_not_start": 160, "dbp_do_not_start": 100,
        "sbp_pause": 180, "dbp_pause": 110, "spo2_warn_below": 92, "spo2_stop_below": 90, "hr_warn_above": 120,
        "rr_warn_below": 10}


def test_a_protocol_with_max_total_minus_one_is_refused_by_the_form_and_nothing_is_written(client_for, world):
    response = client_for("clinic_admin").post("/courses/protocols/new/", {**FORM, "max_total_mg": "-1"})
    assert response.status_code == 400 and "Must be above 0" in response.content.decode()
    assert not Protocol.objects.exists()
    assert not AuditEvent.objects.filter(action="protocol_create").exists()


def test_the_protocol_form_names_a_limit_and_a_threshold_problem_in_one_answer(client_for, world):
    response = client_for("clinic_admin").post("/courses/protocols/new/", {**FORM, "max_total_mg": "-1", "sbp_pause": 150})
    page = response.content.decode()
    assert response.status_code == 400 and "Must be above 0" in page and "pause level cannot be below" in page
    assert not Protocol.objects.exists()


def test_a_protocol_with_max_total_minus_five_is_refused_by_the_api_and_nothing_is_written(world):
    response = api_caller(world.clinic_admin, world.a)("POST", "/courses/protocols", {"name": "Neg", "max_total_mg": "-5"})
    assert response.status_code in (400, 422)
    assert "max_total_mg" in response.content.decode()
    assert not Protocol.objects.exists()


def test_an_api_update_to_a_pause_threshold_below_the_start_threshold_changes_nothing(world):
    protocol = make_protocol(world)
    before = snapshot(protocol)
    body = {"name": protocol.name, "thresholds": {"sbp_pause": 150}}
    response = api_caller(world.clinic_admin, world.a)("PUT", f"/courses/protocols/{protocol.pk}", body)
    assert response.status_code in (400, 422)
    protocol.refresh_from_db()
    assert snapshot(protocol) == before
