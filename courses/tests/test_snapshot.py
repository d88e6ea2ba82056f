"""The protocol copy kept with a course: exact decimals, the spacing and limits read back from it, the chart."""

from decimal import Decimal

import pytest

from clinical.errors import ClinicalError
from clinical.scheduling import CourseSpacing
from courses import chart, services
from courses.models import TreatmentCourse
from ketacare.testing import make_course, make_protocol

pytestmark = pytest.mark.django_db


def test_the_snapshot_keeps_every_protocol_field_with_decimals_as_strings(world):
    snap = services.snapshot(make_protocol(world, max_total_mg=Decimal("85.5")))
    assert set(snap) == services.PROTOCOL_FIELDS
    assert snap["max_total_mg"] == "85.5" and snap["vial_mg_per_ml"] == "10.0"
    assert snap["n_infusions"] == 6 and snap["active"] is True


def test_the_spacing_of_a_course_is_the_kernels_rule_on_its_copy(world):
    course = make_course(world)
    assert services.spacing_of(course) == CourseSpacing(n_infusions=6, min_hours_between=44, max_span_days=14)
    TreatmentCourse.objects.filter(pk=course.pk).update(
        protocol_snapshot={**course.protocol_snapshot, "min_hours_between": 72, "max_span_days": 7})
    course.refresh_from_db()
    with pytest.raises(ClinicalError, match="cannot fit"):
        services.spacing_of(course)


def test_the_limits_of_a_course_are_exact_decimals(world):
    limits = services.limits_of(make_course(world))
    assert (limits.max_mg_per_kg, limits.max_total_mg, limits.min_duration_min) == (
        Decimal("0.75"), Decimal("100.0"), Decimal("40"))


def test_the_chart_lists_the_patients_courses_newest_first(world):
    first = make_course(world)
    services.end_course(course=first, status="completed", by=world.prescriber)
    second = services.order_course(patient=first.patient, protocol=first.protocol, by=world.prescriber)
    [panel] = chart.panels(None, first.patient)
    assert panel.context["courses"] == [second, first]
    titles = {e.detail for e in chart.timeline(first.patient)}
    assert titles == {"0.50 mg/kg · Completed", "0.50 mg/kg · Active"}
