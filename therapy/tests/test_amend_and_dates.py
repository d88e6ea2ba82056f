"""Therapy notes: amended with a reason (the note as it was stays readable), never linked to a later infusion."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from ketacare.testing import api_caller, make_session
from therapy import services
from therapy.models import IntegrationSession, TherapyAmendment
from toolkit.errors import ServiceError

pytestmark = pytest.mark.django_db


def _day(infusion):
    return infusion.scheduled_start.astimezone(ZoneInfo(infusion.clinic.time_zone)).date()


def _values(held_on, **extra):
    return {"held_on": held_on, "duration_min": 50, "modality": "individual", "timing": "integration", **extra}


@pytest.fixture
def later_infusion(world):
    return make_session(world, timezone.now() + timedelta(days=1))


def test_a_note_cannot_be_linked_to_an_infusion_after_its_date(world, later_infusion):
    held_on = _day(later_infusion) - timedelta(days=1)
    with pytest.raises(ServiceError) as exc:
        services.record_session(patient=later_infusion.patient, values=_values(held_on), infusion_ids=[later_infusion.pk],
                                by=world.therapist)
    assert "cannot be linked to an infusion after it" in exc.value.field_errors["infusions"]
    assert not IntegrationSession.objects.exists()


def test_a_note_of_the_infusions_own_day_may_be_linked(world, later_infusion):
    s = services.record_session(patient=later_infusion.patient, values=_values(_day(later_infusion)),
                                infusion_ids=[later_infusion.pk], by=world.therapist)
    assert list(s.infusions.all()) == [later_infusion]


def test_the_form_names_the_later_infusion_and_a_bad_duration_together(client_for, world, later_infusion):
    response = client_for("therapist").post(f"/therapy/record/{later_infusion.patient_id}/", {
        "held_on": (_day(later_infusion) - timedelta(days=1)).isoformat(), "duration_min": 5, "modality": "individual",
        "timing": "integration", "infusions": [str(later_infusion.pk)]})
    page = response.content.decode()
    assert response.status_code == 400 and "after it: infusion" in page and "greater than or equal to 10" in page
    assert not IntegrationSession.objects.exists()


def _recorded(world, infusion, note="Discussed the first infusion."):
    return services.record_session(patient=infusion.patient, values=_values(_day(infusion), note=note), infusion_ids=[],
                                   by=world.therapist)


def test_amending_a_note_keeps_the_original_and_is_audited(world, later_infusion):
    s = _recorded(world, later_infusion)
    services.amend_session(session=s, values={"note": "Discussed the first infusion and sleep."}, infusion_ids=None,
                           reason="Added what the patient said about sleep", by=world.therapist)
    s.refresh_from_db()
    amendment = TherapyAmendment.objects.get()
    assert s.note == "Discussed the first infusion and sleep."
    assert amendment.before["note"] == "Discussed the first infusion." and amendment.after["note"] == s.note
    assert AuditEvent.objects.get(action="therapy_amend").detail == {"session": s.pk, "fields": ["note"]}


def test_an_amendment_linking_a_later_infusion_or_without_a_reason_changes_nothing(world, later_infusion):
    s = services.record_session(patient=later_infusion.patient, values=_values(_day(later_infusion) - timedelta(days=1)),
                                infusion_ids=[], by=world.therapist)
    with pytest.raises(ServiceError) as exc:
        services.amend_session(session=s, values={}, infusion_ids=[later_infusion.pk], reason="x", by=world.therapist)
    assert set(exc.value.field_errors) == {"infusions", "reason"}
    assert not s.infusions.exists() and not TherapyAmendment.objects.exists()


def test_the_detail_page_shows_the_note_as_first_recorded_after_an_amendment(client_for, world, later_infusion):
    s = _recorded(world, later_infusion)
    client = client_for("therapist")
    response = client.post(f"/therapy/{s.pk}/amend/", {
        "held_on": s.held_on.isoformat(), "duration_min": 50, "modality": "individual", "timing": "integration",
        "note": "Rewritten note.", "reason": "Corrected a wrong medication name"})
    assert response.status_code == 302
    page = client.get(f"/therapy/{s.pk}/").content.decode()
    assert "Rewritten note." in page and "Discussed the first infusion." in page and "Corrected a wrong medication name" in page


def test_the_api_amends_a_note_and_another_clinic_gets_404(world, later_infusion):
    s = _recorded(world, later_infusion)
    call = api_caller(world.therapist, world.a)
    ok = call("PATCH", f"/therapy/sessions/{s.pk}", {"note": "API amended.", "reason": "Typo fixed after review"})
    assert ok.status_code == 200 and ok.json()["before"]["note"] == "Discussed the first infusion."
    assert [a["reason"] for a in call("GET", f"/therapy/sessions/{s.pk}/amendments").json()] == ["Typo fixed after review"]
    other = api_caller(world.b_users["therapist"], world.b)
    assert other("PATCH", f"/therapy/sessions/{s.pk}", {"note": "x", "reason": "Another clinic tries"}).status_code == 404
