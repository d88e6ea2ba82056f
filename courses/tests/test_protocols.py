"""Protocol templates: defaults from the kernel, checks on every value, the limits a course uses."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from audit.models import AuditEvent
from clinical.dosing import DoseLimits
from clinical.scheduling import CourseSpacing
from clinical.vitals import MonitoringSchedule
from courses import defaults, services
from courses.models import Protocol
from ketacare.testing import make_course, make_protocol
from toolkit.errors import ServiceError

pytestmark = pytest.mark.django_db


def test_a_new_protocol_takes_every_default_from_the_kernel(world):
    p = make_protocol(world)
    spacing, limits, monitoring = CourseSpacing(), DoseLimits(), MonitoringSchedule()
    assert (p.n_infusions, p.min_hours_between, p.max_span_days) == (
        spacing.n_infusions, spacing.min_hours_between, spacing.max_span_days)
    assert (p.max_mg_per_kg, p.max_total_mg, p.infusion_min) == (
        limits.max_mg_per_kg, limits.max_total_mg, limits.min_duration_min)
    assert p.vial_mg_per_ml in limits.vial_strengths_mg_per_ml
    assert (p.bp_every_min_infusing, p.bp_every_min_recovering) == (
        monitoring.bp_every_min_infusing, monitoring.bp_every_min_recovering)
    assert p.thresholds == dict(defaults.DEFAULT_THRESHOLDS)


def test_a_snapshot_older_than_a_setting_reads_its_default():
    assert defaults.planned_infusions({}) == 6
    assert defaults.planned_infusions({"n_infusions": 4}) == 4
    assert defaults.snapshot_value({}, "bp_every_min_recovering") == 15
    with pytest.raises(KeyError):
        defaults.snapshot_value({}, "no_such_setting")


@pytest.mark.parametrize(("values", "field"), [
    ({"infusion_min": 9}, "infusion_min"), ({"infusion_min": 241}, "infusion_min"),
    ({"bag_volume_ml": Decimal("19")}, "bag_volume_ml"), ({"bag_volume_ml": Decimal("501")}, "bag_volume_ml"),
    ({"mg_per_kg": Decimal("0.04")}, "mg_per_kg"),
    ({"n_infusions": 8, "min_hours_between": 48, "max_span_days": 7}, "max_span_days"),
])
def test_protocol_values_out_of_range_are_refused_and_nothing_is_saved(world, values, field):
    with pytest.raises(ServiceError) as exc:
        make_protocol(world, **values)
    assert field in exc.value.field_errors
    assert not Protocol.objects.exists()


def test_an_unknown_protocol_field_is_refused(world):
    with pytest.raises(ServiceError, match="Unknown fields: colour"):
        make_protocol(world, colour="blue")


def test_changing_a_protocol_is_checked_against_its_stored_values(world):
    protocol = make_protocol(world, max_mg_per_kg=Decimal("0.60"))
    with pytest.raises(ServiceError) as exc:
        services.save_protocol(clinic=world.a, protocol=protocol, values={"mg_per_kg": Decimal("0.70")}, by=world.clinic_admin)
    assert "own maximum" in exc.value.field_errors["mg_per_kg"]
    services.save_protocol(clinic=world.a, protocol=protocol, values={"infusion_min": 45}, by=world.clinic_admin)
    assert protocol.infusion_min == 45
    assert AuditEvent.objects.filter(action="protocol_update").get().detail == {"fields": ["infusion_min"]}


def test_the_limits_of_a_course_come_from_its_copy_not_the_edited_protocol(world):
    course = make_course(world)
    services.save_protocol(clinic=world.a, protocol=course.protocol, values={"max_total_mg": Decimal("80")},
                           by=world.clinic_admin)
    assert services.limits_of(course).max_total_mg == Decimal("100.0")
    assert services.limits_of(course.protocol).max_total_mg == Decimal("80")
    assert services.limits_of(course).min_duration_min == Decimal("40")


@pytest.mark.parametrize(("field", "value"), [("mg_per_kg", 0), ("n_infusions", 0), ("vial_mg_per_ml", -10),
                                              ("bp_every_min_infusing", 0), ("weight_basis", "lean")])
def test_the_database_refuses_an_impossible_protocol(world, field, value):
    protocol = make_protocol(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        Protocol.objects.filter(pk=protocol.pk).update(**{field: value})


@pytest.mark.parametrize(("field", "value"), [("status", "paused"), ("mg_per_kg", Decimal("-0.5")),
                                              ("weight_basis", "")])
def test_the_database_refuses_an_impossible_course(world, field, value):
    course = make_course(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        type(course).objects.filter(pk=course.pk).update(**{field: value})
