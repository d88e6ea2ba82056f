"""Allergies at intake and amending intake rows with a reason (issue 10 "Records people must be able to correct")."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audit import services as audit_services
from audit.models import AuditEvent
from ketacare.testing import api_caller, make_patient, make_session
from patients import services
from patients.models import Allergy, CurrentMedication, IntakeAmendment, TraumaEvent
from toolkit.errors import ServiceError

pytestmark = pytest.mark.django_db
PENICILLIN = {"substance": "penicillin", "reaction": "Hives", "severity": "moderate"}


def client_for_b(world):
    from django.test import Client

    client = Client()
    client.force_login(world.b_users["nurse"])
    return client


def test_an_allergy_is_recorded_and_audited(world):
    patient = make_patient(world)
    allergy = services.add_allergy(patient=patient, values=PENICILLIN, by=world.nurse)
    assert (allergy.substance, allergy.reaction, allergy.severity, allergy.clinic) == ("penicillin", "Hives", "moderate", world.a)
    assert AuditEvent.objects.get(action="allergy_add").patient_id == patient.pk


def test_an_allergy_without_a_substance_or_with_an_unknown_severity_is_refused_naming_both(world):
    with pytest.raises(ServiceError) as exc:
        services.add_allergy(patient=make_patient(world), values={"substance": " ", "severity": "deadly"}, by=world.nurse)
    assert set(exc.value.field_errors) == {"substance", "severity"}
    assert not Allergy.objects.exists()


def test_the_intake_page_adds_an_allergy(client_for, world):
    patient = make_patient(world)
    client = client_for("nurse")
    response = client.post(f"/patients/{patient.pk}/intake/", {"form": "allergy", "allergy-substance": "latex",
                                                               "allergy-reaction": "Anaphylaxis", "allergy-severity": "severe"})
    assert response.status_code == 302
    assert Allergy.objects.get().substance == "latex"
    assert "Anaphylaxis" in client.get(f"/patients/{patient.pk}/intake/").content.decode()


def test_the_api_adds_and_lists_allergies_and_refuses_a_bad_severity(world):
    patient = make_patient(world)
    call = api_caller(world.nurse, world.a)
    assert call("POST", f"/patients/{patient.pk}/allergies", PENICILLIN).status_code == 201
    assert call("POST", f"/patients/{patient.pk}/allergies", {**PENICILLIN, "severity": "deadly"}).status_code == 422
    assert [a["substance"] for a in call("GET", f"/patients/{patient.pk}/allergies").json()] == ["penicillin"]


def test_the_session_screen_shows_allergies_beside_current_medications(client_for, world):
    session = make_session(world, timezone.now() + timedelta(days=1))
    services.add_allergy(patient=session.patient, values=PENICILLIN, by=world.nurse)
    services.add_current_medication(patient=session.patient, values={"name": "prazosin", "dose": "5 mg"}, by=world.nurse)
    page = client_for("nurse").get(f"/infusions/sessions/{session.pk}/").content.decode()
    block = page[page.index('id="allergies-medications"'):]
    assert block.index("penicillin") < block.index("prazosin") and "Hives" in block


def test_amending_a_medication_keeps_the_original_and_is_audited(world):
    patient = make_patient(world)
    med = services.add_current_medication(patient=patient, values={"name": "sertraline", "dose": "50 mg"}, by=world.nurse)
    services.amend_intake_row(patient=patient, kind="medication", row_id=med.pk, values={"dose": "100 mg"},
                              reason="Dose misread from the referral letter", by=world.prescriber)
    med.refresh_from_db()
    amendment = IntakeAmendment.objects.get()
    assert med.dose == "100 mg"
    assert amendment.before == {"name": "sertraline", "dose": "50 mg"} and amendment.after["dose"] == "100 mg"
    event = AuditEvent.objects.get(action="intake_amend")
    assert event.detail == {"kind": "medication", "row": med.pk, "fields": ["dose"]}


def test_an_amendment_without_a_reason_and_with_a_bad_year_names_both_and_changes_nothing(world):
    patient = make_patient(world)
    event = services.add_trauma_event(patient=patient, values={"kind": "accident", "year": 2001}, by=world.therapist)
    with pytest.raises(ServiceError) as exc:
        services.amend_intake_row(patient=patient, kind="trauma", row_id=event.pk, values={"year": 1800}, reason="typo",
                                  by=world.therapist)
    assert set(exc.value.field_errors) == {"reason", "year"}
    event.refresh_from_db()
    assert event.year == 2001 and not IntakeAmendment.objects.exists()


def test_a_failing_audit_write_leaves_the_row_and_no_amendment(world, monkeypatch):
    patient = make_patient(world)
    med = services.add_current_medication(patient=patient, values={"name": "sertraline", "dose": "50 mg"}, by=world.nurse)
    monkeypatch.setattr(audit_services, "record", lambda **kw: (_ for _ in ()).throw(RuntimeError("audit down")))
    with pytest.raises(RuntimeError):
        services.amend_intake_row(patient=patient, kind="medication", row_id=med.pk, values={"dose": "75 mg"},
                                  reason="Dose changed by the GP", by=world.nurse)
    assert CurrentMedication.objects.get().dose == "50 mg" and not IntakeAmendment.objects.exists()


def test_another_patients_row_cannot_be_amended(world):
    mine, theirs = make_patient(world, mrn="A-1"), make_patient(world, mrn="A-2")
    med = services.add_current_medication(patient=theirs, values={"name": "sertraline"}, by=world.nurse)
    with pytest.raises(ServiceError, match="No such row"):
        services.amend_intake_row(patient=mine, kind="medication", row_id=med.pk, values={"dose": "1 mg"},
                                  reason="Wrong patient on purpose", by=world.nurse)


def test_the_amend_page_saves_and_then_shows_the_original_values(client_for, world):
    patient = make_patient(world)
    allergy = services.add_allergy(patient=patient, values=PENICILLIN, by=world.nurse)
    client = client_for("nurse")
    url = f"/patients/intake/allergy/{allergy.pk}/amend/"
    refused = client.post(url, {"amend-substance": "penicillin", "amend-severity": "severe", "amend-reaction": "Hives"})
    assert refused.status_code == 400 and not IntakeAmendment.objects.exists()
    saved = client.post(url, {"amend-substance": "penicillin", "amend-severity": "severe", "amend-reaction": "Anaphylaxis",
                              "amend-reason": "Patient recalled an ambulance visit"})
    assert saved.status_code == 302
    page = client.get(url).content.decode()
    assert "As first recorded" in page and "Hives" in page and "Anaphylaxis" in page
    assert "Patient recalled an ambulance visit" in page
    assert client_for("nurse").get("/patients/intake/allergy/999999/amend/").status_code == 404
    assert client_for_b(world).get(url).status_code == 404


def test_the_api_amends_a_row_and_lists_its_amendments(world):
    patient = make_patient(world)
    event = services.add_trauma_event(patient=patient, values={"kind": "accident", "year": 2001}, by=world.therapist)
    call = api_caller(world.therapist, world.a)
    url = f"/patients/intake/trauma/{event.pk}"
    bad = call("PATCH", url, {"values": {"year": "not a year"}, "reason": "Year was a typo in the form"})
    assert bad.status_code == 400 and "year" in bad.json()["fields"]
    ok = call("PATCH", url, {"values": {"year": 2003}, "reason": "Year was a typo in the form"})
    assert ok.status_code == 200 and ok.json()["before"]["year"] == 2001 and ok.json()["after"]["year"] == 2003
    assert TraumaEvent.objects.get().year == 2003
    listed = call("GET", f"{url}/amendments").json()
    assert [a["reason"] for a in listed] == ["Year was a typo in the form"]
    other = api_caller(world.b_users["therapist"], world.b)
    assert other("PATCH", url, {"values": {"year": 2004}, "reason": "Another clinic tries"}).status_code == 404
