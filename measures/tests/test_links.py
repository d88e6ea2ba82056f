"""Patient links: signed, single use, expiring; forged, expired, reused and cross-patient tokens refused."""

from datetime import timedelta

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse

from alerts.models import Alert
from audit.models import AuditEvent
from ketacare.testing import make_course
from measures import services, tokens
from measures.models import Assessment, PatientLink
from toolkit.errors import ServiceError

from .conftest import set_policy

pytestmark = pytest.mark.django_db
PHQ9_OK = {f"phq9-{n}": "1" for n in range(1, 10)} | {"phq9-9": "0"}
PHQ9_RISK = PHQ9_OK | {"phq9-9": "2"}


def issue(world, patient, instrument="phq9", **extra):
    return services.issue_link(patient=patient, instrument=instrument, by=world.nurse, **extra)


def url(token: str) -> str:
    return reverse("measures:answer", kwargs={"token": token})


def test_issuing_stores_only_a_hash_and_sends_by_email_and_text(world, patient, sms_outbox):
    link, token = issue(world, patient, channels=["email", "sms"])
    assert link.token_hash == tokens.hash_token(token) and token not in link.token_hash
    assert link.channel_list() == ["email", "sms"] and link.sent_at is not None
    assert len(mail.outbox) == 1 and url(token) in mail.outbox[0].body
    assert mail.outbox[0].to == [patient.email]
    assert sms_outbox == [(patient.phone, mail.outbox[0].body)]
    actions = set(AuditEvent.objects.filter(object_id=str(link.pk)).values_list("action", flat=True))
    assert {"link_issue", "link_send"} <= actions
    assert token not in str(list(AuditEvent.objects.values_list("detail", flat=True)))


def test_links_expire_after_the_clinic_setting(world, patient):
    set_policy(world, patient.clinic, measures_link_expiry_hours=24)
    link, _ = issue(world, patient)
    assert link.expires_at - link.issued_at == timedelta(hours=24)


def test_a_channel_without_contact_details_is_refused_and_nothing_is_stored(world):
    course = make_course(world, mrn="T-0009", email="")
    with pytest.raises(ServiceError, match="no email address"):
        issue(world, course.patient, channels=["email"])
    assert not PatientLink.objects.exists() and not mail.outbox


def test_a_failed_send_leaves_no_link(world, patient, settings):
    settings.KETACARE_SMS_BACKEND = "measures.tests.test_links.BrokenSms"
    with pytest.raises(ServiceError, match="Sending by sms failed"):
        issue(world, patient, channels=["sms"])
    assert not PatientLink.objects.exists()


class BrokenSms:
    def send(self, to, body):
        raise ConnectionError("gateway down")


def test_clinician_rated_scales_are_not_sent_to_patients(world, patient):
    with pytest.raises(ServiceError, match="rated by a clinician"):
        issue(world, patient, instrument="madrs")


def test_a_patient_opens_the_link_and_sees_only_that_questionnaire(world, patient):
    link, token = issue(world, patient)
    response = Client().get(url(token))
    assert response.status_code == 200
    body = response.content.decode()
    assert "PHQ-9 questionnaire" in body and 'name="phq9-9"' in body and "pcl5" not in body
    assert patient.family_name not in body and patient.mrn not in body
    assert "no-cache" in response["Cache-Control"]
    link.refresh_from_db()
    assert link.opened_at is not None
    assert AuditEvent.objects.filter(action="link_open", object_id=str(link.pk), actor_label="patient link").exists()


def test_answers_from_a_link_are_stored_and_the_link_is_used_up(world, patient):
    link, token = issue(world, patient, point_key="pre_infusion", occurrence=2)
    response = Client().post(url(token), PHQ9_OK)
    assert response.status_code == 200 and b"Thank you" in response.content and b"crisis-h" not in response.content
    a = Assessment.objects.get()
    assert (a.source, a.total, a.point_key, a.occurrence, a.entered_by) == ("patient_link", 8, "pre_infusion", 2, None)
    link.refresh_from_db()
    assert link.used_at is not None and link.assessment == a
    assert AuditEvent.objects.filter(action="link_use", object_id=str(link.pk)).exists()


def test_a_used_link_cannot_be_used_again(world, patient):
    _, token = issue(world, patient)
    client = Client()
    client.post(url(token), PHQ9_OK)
    again = client.post(url(token), PHQ9_OK)
    assert again.status_code == 410 and b"already sent" in again.content
    assert client.get(url(token)).status_code == 410
    assert Assessment.objects.count() == 1


def test_an_expired_link_is_refused(world, patient, shift_clock):
    _, token = issue(world, patient)
    shift_clock(timedelta(hours=73))
    for response in (Client().get(url(token)), Client().post(url(token), PHQ9_OK)):
        assert response.status_code == 410 and b"expired" in response.content
    assert not Assessment.objects.exists()


def test_a_link_expiring_during_the_answer_is_refused_at_submit(world, patient, monkeypatch):
    link, token = issue(world, patient)
    monkeypatch.setattr(services, "_now", lambda: link.expires_at + timedelta(seconds=1))
    with pytest.raises(services.LinkRefused) as refused:
        services.submit_link(token=token, items=[0] * 9)
    assert refused.value.state == "expired"


@pytest.mark.parametrize("forged", [
    "garbage",
    "x" * 400,
    signing.dumps(["made-up-nonce"], salt="another-salt"),
    signing.dumps(["made-up-nonce"], salt=tokens.SALT, key="someone-elses-secret-key-0123456789"),
    signing.dumps(["a-genuine-signature-for-no-link"], salt=tokens.SALT),
], ids=["garbage", "oversized", "other-salt", "other-key", "genuine-signature-no-link"])
def test_forged_tokens_are_refused_and_write_nothing(world, patient, forged):
    issue(world, patient)
    for response in (Client().get(url(forged)), Client().post(url(forged), PHQ9_OK)):
        assert response.status_code == 404 and b"not valid" in response.content
    assert not Assessment.objects.exists()


def test_an_altered_token_is_refused(world, patient):
    _, token = issue(world, patient)
    altered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    assert Client().get(url(altered)).status_code == 404


def test_a_token_spliced_from_two_patients_links_is_refused(world, patient):
    other = make_course(world, mrn="T-0002").patient
    _, mine = issue(world, patient)
    _, theirs = issue(world, other)
    payload, signature = mine.split(":", 1)[0], theirs.split(":", 1)[1]
    spliced = f"{payload}:{signature}"
    assert Client().post(url(spliced), PHQ9_OK).status_code == 404
    assert not Assessment.objects.exists()
    assert not PatientLink.objects.filter(used_at__isnull=False).exists()


def test_one_patients_token_only_ever_answers_for_that_patient(world, patient):
    other = make_course(world, mrn="T-0002").patient
    _, token = issue(world, other)
    Client().post(url(token), PHQ9_OK)
    assert list(Assessment.objects.values_list("patient", flat=True)) == [other.pk]


def test_a_positive_item_9_shows_the_crisis_text_at_once_and_raises_the_alert(world, patient):
    set_policy(world, patient.clinic, measures_crisis_text="Call the clinic line 555-0199 or 988 now.")
    _, token = issue(world, patient)
    response = Client().post(url(token), PHQ9_RISK)
    body = response.content.decode()
    assert response.status_code == 200 and "Call the clinic line 555-0199 or 988 now." in body
    assert 'href="tel:988"' in body
    alert = Alert.objects.get()
    assert (alert.kind, alert.level, alert.patient) == ("suicide_risk", "critical", patient)
    # Coming back to the used link still shows the crisis text.
    assert "555-0199" in Client().get(url(token)).content.decode()


def test_the_default_crisis_text_names_988_and_911(world, patient):
    _, token = issue(world, patient)
    body = Client().post(url(token), PHQ9_RISK).content.decode()
    assert "988" in body and "911" in body and "Suicide &amp; Crisis Lifeline" in body


def test_a_blank_answer_is_asked_again_and_nothing_is_stored(world, patient):
    link, token = issue(world, patient)
    answers = dict(PHQ9_OK)
    del answers["phq9-4"]
    response = Client().post(url(token), answers)
    assert response.status_code == 400 and b"Question 4 needs an answer" in response.content
    assert b'value="1" checked' in response.content  # the other answers are kept
    assert not Assessment.objects.exists()
    link.refresh_from_db()
    assert link.used_at is None


def test_an_answer_outside_the_options_is_refused_with_the_kernel_message(world, patient):
    _, token = issue(world, patient)
    response = Client().post(url(token), PHQ9_OK | {"phq9-2": "7"})
    assert response.status_code == 400 and b"must be between 0 and 3, got 7" in response.content
    assert not Assessment.objects.exists()


def test_cssrs_from_a_link_follows_the_skip_logic(world, patient):
    _, token = issue(world, patient, instrument="cssrs")
    page = Client().get(url(token)).content.decode()
    assert 'data-enable-when="cssrs-2=1"' in page and "Answer only if question 2 was answered yes" in page
    response = Client().post(url(token), {"cssrs-1": "1", "cssrs-2": "0", "cssrs-6": "0"})
    assert response.status_code == 200
    a = Assessment.objects.get()
    assert a.result["risk_level"] == "low" and a.complete
    forbidden = issue(world, patient, instrument="cssrs")[1]
    refused = Client().post(url(forbidden), {"cssrs-1": "0", "cssrs-2": "0", "cssrs-3": "1", "cssrs-6": "0"})
    assert refused.status_code == 400 and b"must be blank" in refused.content
