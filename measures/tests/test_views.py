"""Staff pages and the API: enter a questionnaire, send a link, acknowledge an alert; clinic isolation."""

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client

from accounts import services as accounts
from alerts.models import Alert, AlertReview
from alerts.services import raise_alert
from audit.models import AuditEvent
from measures import services
from measures.models import Assessment, PatientLink

pytestmark = pytest.mark.django_db
PCL5_RADIOS = {f"pcl5-{n}": "2" for n in range(1, 21)}


def enter_url(patient, instrument="pcl5", extra=""):
    return f"/measures/patients/{patient.pk}/enter/?instrument={instrument}{extra}"


def post_entry(client, patient, data, instrument="pcl5"):
    return client.post(enter_url(patient, instrument),
                       {"instrument": instrument, "assessed_at": "2026-01-05T09:30", "point": "", **data})


def test_a_nurse_enters_a_pcl5_with_the_radio_buttons(world, patient, client_for):
    c = client_for("nurse")
    page = c.get(enter_url(patient, extra="&point=baseline&occurrence=0"))
    assert page.status_code == 200 and b'value="baseline:0" selected' in page.content
    assert b'name="pcl5-20"' in page.content and b"Sleep problems" in page.content
    response = post_entry(c, patient, PCL5_RADIOS)
    a = Assessment.objects.get()
    assert response.status_code == 302 and response.url == f"/measures/assessments/{a.pk}/"
    assert a.total == 40 and a.entered_by == world.nurse
    # The typed time is the clinic's wall time (America/New_York, UTC-5 in January).
    assert a.assessed_at.isoformat() == "2026-01-05T14:30:00+00:00"
    assert AuditEvent.objects.filter(action="assessment_entry_view", patient_id=patient.pk).exists()


def test_the_typed_list_is_a_keyboard_alternative(world, patient, client_for):
    response = post_entry(client_for("prescriber"), patient, {"quick": "0,0,0,0,0,0,0,0,3"}, instrument="phq9")
    assert response.status_code == 302
    a = Assessment.objects.get()
    assert a.total == 3 and "suicide_risk" in a.result["flags"]
    assert Alert.objects.filter(kind="suicide_risk", patient=patient).count() == 1


def test_buttons_and_typed_list_together_are_refused(world, patient, client_for):
    response = post_entry(client_for("nurse"), patient, {**PCL5_RADIOS, "quick": "1,2"})
    assert response.status_code == 400 and b"not both" in response.content
    assert not Assessment.objects.exists()


@pytest.mark.parametrize(("data", "message"), [
    ({"quick": "5" + ",0" * 19}, b"must be between 0 and 4, got 5"),
    ({"quick": "1,2"}, b"expected 20 answers, got 2"),
    ({"pcl5-3": "x"}, b"Question 3: choose one of the answers shown"),
    ({"pcl5-3": "9"}, b"must be between 0 and 4, got 9"),
])
def test_bad_answers_re_render_with_the_message_and_save_nothing(world, patient, client_for, data, message):
    response = post_entry(client_for("therapist"), patient, data)
    assert response.status_code == 400 and message in response.content
    assert not Assessment.objects.exists()


def test_blank_items_are_saved_as_incomplete(world, patient, client_for):
    data = dict(PCL5_RADIOS)
    del data["pcl5-7"]
    assert post_entry(client_for("nurse"), patient, data).status_code == 302
    a = Assessment.objects.get()
    assert (a.complete, a.total) == (False, None)
    detail = client_for("nurse").get(f"/measures/assessments/{a.pk}/")
    assert b"incomplete: no total" in detail.content and b"pcl5-7" in detail.content


def test_every_instrument_has_an_entry_form(world, patient, client_for):
    c = client_for("prescriber")
    for instrument in ("pcl5", "phq9", "gad7", "iesr", "cssrs", "madrs", "caps5", "cadss"):
        response = c.get(enter_url(patient, instrument))
        assert response.status_code == 200 and b'class="q-form staff-form"' in response.content, instrument
    assert b"caps5-F" in c.get(enter_url(patient, "caps5")).content


def test_front_desk_sends_a_link_by_email(world, patient, client_for):
    c = client_for("front_desk")
    response = c.post(f"/measures/patients/{patient.pk}/link/?instrument=phq9",
                      {"instrument": "phq9", "point": "", "channels": ["email"]})
    assert response.status_code == 200 and b"Link issued" in response.content
    link = PatientLink.objects.get()
    assert link.issued_by == world.front_desk and mail.outbox[0].to == [patient.email]
    assert b"/measures/q/" in response.content
    assert client_for("researcher").get(f"/measures/patients/{patient.pk}/link/").status_code == 403


def test_a_prescriber_reviews_the_alert_with_a_decision_and_a_reason(world, patient, client_for):
    services.record_assessment(patient=patient, instrument="phq9", items=[0] * 8 + [1], by=world.nurse)
    alert = Alert.objects.get()
    c = client_for("prescriber")
    url = f"/measures/alerts/{alert.pk}/acknowledge/"
    assert c.get(url).status_code == 200
    empty = c.post(url, {"decision": "proceed", "reason": "  "})
    assert empty.status_code == 400 and b"Write the reason for the decision" in empty.content
    short = c.post(url, {"decision": "proceed", "reason": "ok"})
    assert short.status_code == 400 and b"at least 15 characters" in short.content
    assert not AlertReview.objects.exists()
    done = c.post(url, {"decision": "proceed", "reason": "Called the patient at 14:10; safe, plan reviewed, seen tomorrow."})
    assert done.status_code == 302 and done.url == f"/patients/{patient.pk}/"
    alert.refresh_from_db()
    assert alert.acknowledged_by == world.prescriber and "plan reviewed" in alert.action_note
    review = AlertReview.objects.get()
    assert (review.decision, review.reviewed_by) == ("proceed", world.prescriber)
    again = c.post(url, {"decision": "proceed", "reason": "Again, the same decision here."})
    assert again.status_code == 400
    assert client_for("front_desk").get(url).status_code == 403


def test_a_nurse_sees_the_risk_alert_but_cannot_close_it(world, patient, client_for):
    services.record_assessment(patient=patient, instrument="phq9", items=[0] * 8 + [1], by=world.nurse)
    alert = Alert.objects.get()
    url = f"/measures/alerts/{alert.pk}/acknowledge/"
    page = client_for("nurse").get(url).content.decode()
    assert "Only a prescriber records this review" in page and "Record the review" not in page
    refused = client_for("nurse").post(url, {"decision": "proceed", "reason": "Phoned the patient, all is well now."})
    assert refused.status_code == 400 and b"does not allow you to review alerts" in refused.content
    alert.refresh_from_db()
    assert alert.is_open and not AlertReview.objects.exists()


def test_the_acknowledge_page_is_only_for_suicide_risk_alerts(world, patient, client_for):
    with transaction.atomic():
        vital = raise_alert(clinic=world.a, patient=patient, kind="vital", level="warn", rule="hr_high",
                            message="HR 130", by=world.nurse)
    assert client_for("nurse").get(f"/measures/alerts/{vital.pk}/acknowledge/").status_code == 404


def test_other_clinics_get_404_for_every_measures_page(world, patient, client_for):
    services.record_assessment(patient=patient, instrument="phq9", items=[0] * 8 + [1], by=world.nurse)
    a, alert = Assessment.objects.get(), Alert.objects.get()
    urls = [f"/measures/patients/{patient.pk}/", enter_url(patient), f"/measures/patients/{patient.pk}/enter/",
            f"/measures/patients/{patient.pk}/link/", f"/measures/assessments/{a.pk}/",
            f"/measures/alerts/{alert.pk}/acknowledge/"]
    for role in ("prescriber", "nurse", "therapist"):
        other = client_for(world.b_users[role])
        for url in urls:
            assert other.get(url).status_code == 404, (role, url)
            assert other.post(url, {"action_note": "x", "instrument": "phq9"}).status_code == 404, (role, url)
    assert Alert.objects.get().acknowledged_at is None and Assessment.objects.count() == 1


def test_the_patient_measures_page_is_audited(world, patient, client_for):
    services.record_assessment(patient=patient, instrument="gad7", items=[1] * 7, by=world.nurse)
    response = client_for("therapist").get(f"/measures/patients/{patient.pk}/")
    assert response.status_code == 200 and b"GAD-7" in response.content
    assert AuditEvent.objects.filter(action="measures_view", patient_id=patient.pk).exists()


# --- API ------------------------------------------------------------------------------


def api(world, role, clinic=None):
    user = world.users[role] if clinic is None else world.b_users[role]
    token = accounts.issue_token(user=user, clinic=clinic or world.a, name="t", by="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def test_the_api_records_and_lists_assessments(world, patient):
    c = api(world, "nurse")
    url = f"/api/measures/patients/{patient.pk}/assessments"
    created = c.post(url, {"instrument": "gad7", "items": [3, 3, 3, 3, 3, 0, 0]}, content_type="application/json")
    assert created.status_code == 201
    body = created.json()
    assert (body["total"], body["result"]["band"], body["source"]) == (15, "severe", "api")
    listed = c.get(url)
    assert listed.status_code == 200 and [r["total"] for r in listed.json()] == [15]
    assert AuditEvent.objects.filter(action="assessment_list_view", patient_id=patient.pk).exists()


@pytest.mark.parametrize(("payload", "status", "text"), [
    ({"instrument": "gad7", "items": [3] * 6}, 400, "expected 7 answers, got 6"),
    ({"instrument": "gad7", "items": [1.5] * 7}, 422, "items"),
    ({"instrument": "gad7", "items": ["1"] * 7}, 422, "items"),
    ({"instrument": "gad7", "items": [1] * 7, "assessed_at": "2026-01-01T10:00:00"}, 400, "time zone"),
])
def test_the_api_refuses_bad_input_and_writes_nothing(world, patient, payload, status, text):
    response = api(world, "nurse").post(f"/api/measures/patients/{patient.pk}/assessments", payload,
                                        content_type="application/json")
    assert response.status_code == status and text in response.content.decode()
    assert not Assessment.objects.exists()


def test_the_api_issues_links_and_lists_what_is_due(world, patient, sessions):
    c = api(world, "front_desk")
    response = c.post(f"/api/measures/patients/{patient.pk}/links", {"instrument": "pcl5", "point_key": "baseline"},
                      content_type="application/json")
    assert response.status_code == 201 and "/measures/q/" in response.json()["url"]
    due = c.get("/api/measures/due").json()
    assert {d["instrument"] for d in due} == {"pcl5", "phq9", "gad7", "cssrs"}
    assert api(world, "front_desk").post(f"/api/measures/patients/{patient.pk}/assessments",
                                         {"instrument": "gad7", "items": [0] * 7},
                                         content_type="application/json").status_code == 403


def test_the_api_gives_other_clinics_404(world, patient):
    c = api(world, "nurse", clinic=world.b)
    assert c.get(f"/api/measures/patients/{patient.pk}/assessments").status_code == 404
    assert c.post(f"/api/measures/patients/{patient.pk}/assessments", {"instrument": "gad7", "items": [0] * 7},
                  content_type="application/json").status_code == 404
