"""Course pages: ordering with an override, the clinic's own protocols only, and the booking panel."""

from types import SimpleNamespace

import pytest

from courses import dashboard
from courses.defaults import DEFAULT_THRESHOLDS
from courses.forms import THRESHOLD_LABELS, OrderForm
from courses.models import Protocol, TreatmentCourse
from ketacare.testing import make_course, make_eligible_patient, make_protocol

pytestmark = pytest.mark.django_db


def test_the_threshold_form_has_one_field_per_protocol_threshold():
    assert set(THRESHOLD_LABELS) == set(DEFAULT_THRESHOLDS)


def test_the_order_page_refuses_a_dose_above_the_limit_without_a_reason(client_for, world):
    patient, protocol = make_eligible_patient(world), make_protocol(world)
    client = client_for("prescriber")
    refused = client.post(f"/courses/order/{patient.pk}/", {"protocol": protocol.pk, "mg_per_kg": "0.9"})
    assert refused.status_code == 400 and "override reason is required" in refused.content.decode()
    assert not TreatmentCourse.objects.exists()
    ordered = client.post(f"/courses/order/{patient.pk}/", {"protocol": protocol.pk, "mg_per_kg": "0.9",
                                                            "override_reason": "Partial response at 0.75"})
    course = TreatmentCourse.objects.get()
    assert ordered.status_code == 302 and ordered["Location"].endswith(f"/courses/{course.pk}/")
    assert course.override_reason == "Partial response at 0.75"


def test_the_order_form_offers_only_the_clinics_active_protocols(world):
    mine = make_protocol(world)
    make_protocol(world, name="Retired", active=False)
    make_protocol(world, world.b, name="Theirs")
    assert list(OrderForm(clinic=world.a).fields["protocol"].queryset) == [mine]
    assert list(OrderForm(clinic=None).fields["protocol"].queryset) == []


def test_another_clinics_course_and_protocol_pages_are_404(client_for, world):
    course = make_course(world, world.b)
    client = client_for("prescriber")
    assert client.get(f"/courses/{course.pk}/").status_code == 404
    assert client.get(f"/courses/protocols/{course.protocol_id}/").status_code == 404


def test_a_nurse_cannot_order_a_course_or_edit_protocols(client_for, world):
    patient = make_eligible_patient(world)
    client = client_for("nurse")
    assert client.get(f"/courses/order/{patient.pk}/").status_code == 403
    assert client.post("/courses/protocols/new/", {"name": "Mine"}).status_code == 403
    assert not Protocol.objects.exists()


def test_a_new_protocol_page_saves_the_edited_thresholds(client_for, world):
    form = {"name": "Page protocol", "n_infusions": 6, "min_hours_between": 44, "max_span_days": 14, "mg_per_kg": "0.50",
            "infusion_min": 40, "max_mg_per_kg": "0.75", "max_total_mg": "100.0", "weight_basis": "actual",
            "vial_mg_per_ml": "10.0", "bag_volume_ml": "100.0", "bp_every_min_infusing": 10,
            "bp_every_min_recovering": 15, "active": "on", **DEFAULT_THRESHOLDS, "sbp_do_not_start": 150}
    response = client_for("clinic_admin").post("/courses/protocols/new/", form)
    assert response.status_code == 302
    assert Protocol.objects.get().thresholds == {**DEFAULT_THRESHOLDS, "sbp_do_not_start": 150}


def test_the_booking_panel_lists_active_courses_with_infusions_left_to_book(world):
    course = make_course(world)
    request = SimpleNamespace(clinic=world.a)
    [panel] = dashboard.panels(request, now=None)
    assert panel.context["to_book"] == [course]
    TreatmentCourse.objects.filter(pk=course.pk).update(status="completed")
    assert dashboard.panels(request, now=None) == []
    assert dashboard.panels(SimpleNamespace(clinic=world.b), now=None) == []
