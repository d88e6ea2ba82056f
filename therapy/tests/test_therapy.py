"""Integration therapy sessions: service rules, audit, rollback and clinic isolation."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from audit import services as audit_services
from audit.models import AuditEvent
from ketacare.testing import make_eligible_patient, make_session
from therapy import services
from therapy.models import IntegrationSession
from toolkit.errors import ServiceError

pytestmark = pytest.mark.django_db


def _values(**extra):
    return {"held_on": timezone.localdate(), "duration_min": 50, "modality": "individual", "timing": "integration", **extra}


def _day_of(infusion):
    return infusion.scheduled_start.astimezone(ZoneInfo(infusion.clinic.time_zone)).date()


def test_a_session_links_the_patients_infusions_and_is_audited(world):
    infusion = make_session(world, timezone.now() + timedelta(days=1))
    s = services.record_session(patient=infusion.patient, values=_values(goals="Integrate", held_on=_day_of(infusion)),
                                infusion_ids=[infusion.pk], by=world.therapist)
    assert list(s.infusions.all()) == [infusion] and s.course == infusion.course
    event = AuditEvent.objects.get(action="therapy_record")
    assert event.patient_id == infusion.patient_id and event.detail == {"infusions": [infusion.pk]}


def test_nurses_cannot_record_therapy(world):
    with pytest.raises(ServiceError, match="role"):
        services.record_session(patient=make_eligible_patient(world), values=_values(), infusion_ids=[], by=world.nurse)


@pytest.mark.parametrize(("change", "field"), [({"duration_min": 5}, "duration_min"), ({"duration_min": 500}, "duration_min"),
                                              ({"held_on": timezone.localdate() + timedelta(days=5)}, "held_on")])
def test_out_of_range_sessions_are_refused(world, change, field):
    with pytest.raises(ServiceError) as exc:
        services.record_session(patient=make_eligible_patient(world), values=_values(**change), infusion_ids=[], by=world.therapist)
    assert field in exc.value.field_errors
    assert IntegrationSession.objects.count() == 0


def test_a_failing_audit_write_leaves_no_session_and_no_links(world, monkeypatch):
    infusion = make_session(world, timezone.now() + timedelta(days=1))

    def broken(**kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(audit_services, "record", broken)
    with pytest.raises(RuntimeError):
        services.record_session(patient=infusion.patient, values=_values(held_on=_day_of(infusion)), infusion_ids=[infusion.pk],
                                by=world.therapist)
    assert IntegrationSession.objects.count() == 0
    assert IntegrationSession.infusions.through.objects.count() == 0


def test_other_clinic_gets_404_for_the_session_page(world, client_for):
    patient = make_eligible_patient(world)
    s = services.record_session(patient=patient, values=_values(), infusion_ids=[], by=world.therapist)
    from django.test import Client

    other = Client()
    other.force_login(world.b_users["therapist"])
    assert other.get(f"/therapy/{s.pk}/").status_code == 404
    assert other.get(f"/therapy/record/{patient.pk}/").status_code == 404
    assert client_for("therapist").get(f"/therapy/{s.pk}/").status_code == 200
