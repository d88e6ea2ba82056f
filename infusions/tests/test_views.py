"""The chairside pages: rendering, forms through the services, refusals with 400, and other clinics' 404."""

from datetime import timedelta

import pytest
from django.urls import reverse

from accounts.choices import Role
from alerts.models import Alert
from audit.models import AuditEvent
from infusions import services
from infusions.choices import SessionState
from infusions.models import InfusionSession, VitalSign
from ketacare.testing import PASSWORD

from .helpers import ALDRETE_READY, booked, checked_in, infusing, recovering, second_nurse, t0

pytestmark = pytest.mark.django_db


def url(name, session):
    return reverse(f"infusions:{name}", kwargs={"session_id": session.pk})


def test_the_session_screen_shows_dose_arithmetic_clock_charts_and_buttons(world, client_for):
    session = infusing(world)
    services.record_vitals(session=session, values={"systolic_mmhg": 185, "diastolic_mmhg": 95}, by=world.users[Role.NURSE])
    response = client_for(Role.NURSE).get(url("session", session))
    html = response.content.decode()
    assert response.status_code == 200
    assert "0.50 mg/kg x 70.0 kg = 35.0 mg" in html and "150.0 mL/h" in html
    assert "data-elapsed-since=" in html and 'hx-trigger="every 3s"' in html
    assert "SBP pause 180" in html and "<svg" in html
    assert 'value="pause"' in html and 'value="start"' not in html
    assert "Systolic BP 185 mmHg is at or above 180 mmHg" in html
    assert "autofocus" in html and "style=" not in html and "<script>" not in html
    assert AuditEvent.objects.filter(action="session_view", object_id=str(session.pk)).exists()


def test_the_live_part_is_polled_and_shows_new_alerts(world, client_for):
    session = infusing(world)
    client = client_for(Role.NURSE)
    assert "SpO2 88" not in client.get(url("live", session)).content.decode()
    services.record_vitals(session=session, values={"spo2_pct": "88"}, by=world.users[Role.NURSE])
    html = client.get(url("live", session)).content.decode()
    assert "SpO2 88 % is below 90 %: stop the infusion." in html and 'id="live"' in html


def test_typed_vitals_are_saved_from_the_form(world, client_for):
    session = infusing(world)
    response = client_for(Role.NURSE).post(url("vitals", session), {"systolic_mmhg": "131", "diastolic_mmhg": "84",
                                                                    "heart_rate_bpm": "70", "spo2_pct": "98"})
    assert response.status_code == 302
    assert VitalSign.objects.filter(session=session, systolic_mmhg=131, entered_by=world.users[Role.NURSE]).exists()


@pytest.mark.parametrize("values", [{"systolic_mmhg": "999"}, {"heart_rate_bpm": "abc"}, {}])
def test_bad_vitals_re_render_with_400_and_write_nothing(world, client_for, values):
    session = infusing(world)
    before = VitalSign.objects.count()
    response = client_for(Role.NURSE).post(url("vitals", session), values)
    assert response.status_code == 400 and VitalSign.objects.count() == before


def test_the_check_in_page_checks_in_and_plans_the_dose(world, client_for):
    session = booked(world)
    client = client_for(Role.NURSE)
    page = client.get(url("check_in", session))
    assert page.status_code == 200 and "Baseline vital signs" in page.content.decode()
    form = {"identity_confirmed": "on", "weight_kg": "80.0", "escort_name": "Sam", "escort_phone": "555-0102",
            "consent_current": "on", "pregnancy_test": "negative", "baseline-systolic_mmhg": "130",
            "baseline-diastolic_mmhg": "80", "baseline-heart_rate_bpm": "72", "baseline-spo2_pct": "98"}
    form |= {f"waive_{d.key}": "Given on paper" for d in services.due_assessments(session)}
    refused = client.post(url("check_in", session), form)  # 80.0 kg is 14 % above the chart's 70.0 kg
    assert refused.status_code == 400 and "more than 10" in refused.content.decode()
    form |= {"weight_confirmed": "on", "weight_reason": "Weighed twice on the clinic scale"}
    response = client.post(url("check_in", session), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    session.refresh_from_db()
    assert session.state == SessionState.CHECKED_IN and str(session.total_mg) == "40.00"


def test_an_incomplete_check_in_re_renders_with_400(world, client_for):
    session = booked(world)
    response = client_for(Role.NURSE).post(url("check_in", session), {"weight_kg": "80"})
    assert response.status_code == 400
    assert InfusionSession.objects.get(pk=session.pk).state == SessionState.SCHEDULED


def test_the_verify_page_hides_the_plan_and_a_mismatch_stays_blind(world, client_for):
    session = checked_in(world)
    client = client_for(Role.NURSE)  # the first nurse's screen; the second clinician types their own password on it
    page = client.get(url("verify", session)).content.decode()
    assert "35.0 mg" not in page and "150.0" not in page and "70.0 kg" in page
    proof = {"verifier": second_nurse(world).username, "verifier_password": PASSWORD}
    refused = client.post(url("verify", session), {"total_mg": "36", "rate_ml_per_h": "15", **proof})
    html = refused.content.decode()
    assert refused.status_code == 400 and "differs from the plan" in html
    assert "35.0" not in html and "150.0" not in html  # neither in the message nor in a field's error
    assert InfusionSession.objects.get(pk=session.pk).state == SessionState.CHECKED_IN
    assert client.post(url("verify", session), {"total_mg": "35", "rate_ml_per_h": "150", **proof}).status_code == 302
    fresh = InfusionSession.objects.get(pk=session.pk)
    assert fresh.state == SessionState.DOSE_VERIFIED and fresh.dose_verified_by == second_nurse(world)


def test_the_verify_page_refuses_a_wrong_password_and_the_first_nurse_herself(world, client_for):
    session = checked_in(world)
    client = client_for(Role.NURSE)
    wrong = client.post(url("verify", session), {"total_mg": "35", "rate_ml_per_h": "150",
                                                 "verifier": second_nurse(world).username, "verifier_password": "guess"})
    assert wrong.status_code == 400 and "did not confirm: wrong password" in wrong.content.decode()
    herself = client.post(url("verify", session), {"total_mg": "35", "rate_ml_per_h": "150",
                                                   "verifier": world.users[Role.NURSE].username, "verifier_password": PASSWORD})
    assert herself.status_code == 400 and "different clinician" in herself.content.decode()
    assert InfusionSession.objects.get(pk=session.pk).state == SessionState.CHECKED_IN


def test_buttons_run_transitions_and_a_refused_one_is_400(world, client_for):
    session = infusing(world)
    client = client_for(Role.NURSE)
    assert client.post(url("action", session), {"action": "pause"}).status_code == 400
    assert client.post(url("action", session), {"action": "pause", "reason": "Nausea"}).status_code == 302
    assert client.post(url("action", session), {"action": "start"}).status_code == 400
    assert InfusionSession.objects.get(pk=session.pk).state == SessionState.PAUSED


def test_discharge_page_refuses_too_early_and_then_discharges(world, client_for):
    session = recovering(world, t0(1))  # ended 10 min ago
    client = client_for(Role.NURSE)
    form = {f"score_{k}": v for k, v in ALDRETE_READY.items()} | {"escort_confirmed": "on"}
    response = client.post(url("discharge", session), form)
    assert response.status_code == 400 and "Observation time not yet elapsed" in response.content.decode()
    prescriber = client_for(Role.PRESCRIBER)
    response = prescriber.post(url("discharge", session), form | {"override_reason": "Fit; escort must leave"})
    assert response.status_code == 302
    assert InfusionSession.objects.get(pk=session.pk).state == SessionState.DISCHARGED


def test_the_record_page_prints_and_takes_signatures(world, client_for):
    start = t0()
    session = recovering(world, start)
    services.discharge_patient(session=session, item_scores=ALDRETE_READY, escort_confirmed=True,
                               at=start + timedelta(minutes=115), by=world.users[Role.NURSE])
    nurse = client_for(Role.NURSE)
    page = nurse.get(url("record", session)).content.decode()
    assert "data-print" in page and "Sign as nurse" in page
    assert nurse.post(url("sign", session)).status_code == 302
    assert client_for(Role.PRESCRIBER).post(url("cosign", session)).status_code == 302
    session.refresh_from_db()
    assert session.signed_at and session.cosigned_at


def test_the_dashboard_shows_open_alerts_first_and_todays_chairs(world, client_for):
    session = infusing(world, t0(1))
    services.record_vitals(session=session, values={"heart_rate_bpm": 140}, by=world.users[Role.NURSE])
    html = client_for(Role.NURSE).get("/").content.decode()
    assert html.index("Open alerts") < html.index("s infusions by chair")
    assert "Heart rate 140" in html and 'hx-get="/alerts/panel/"' in html


@pytest.mark.parametrize("name", ["session", "live", "record", "check_in", "verify", "cadss", "adverse_event", "discharge"])
def test_another_clinics_nurse_gets_404_for_every_session_page(world, name):
    from django.test import Client

    session = infusing(world)
    other = Client()
    other.force_login(world.b_users[Role.NURSE])
    assert other.get(url(name, session)).status_code == 404
    assert other.post(url(name, session), {}).status_code == 404


@pytest.mark.parametrize("name", ["action", "vitals", "side_effects", "note", "sign"])
def test_another_clinics_nurse_gets_404_for_every_session_write(world, name):
    from django.test import Client

    session = infusing(world)
    other = Client()
    other.force_login(world.b_users[Role.NURSE])
    assert other.post(url(name, session), {"action": "pause", "reason": "x"}).status_code == 404
    assert InfusionSession.objects.get(pk=session.pk).state == SessionState.INFUSING


def test_another_clinics_users_get_404_for_alerts(world):
    from django.test import Client

    session = infusing(world)
    _, (alert,) = services.record_vitals(session=session, values={"heart_rate_bpm": 130}, by=world.users[Role.NURSE])
    other = Client()
    other.force_login(world.b_users[Role.NURSE])
    assert other.post(reverse("alerts:acknowledge", kwargs={"alert_id": alert.pk}), {"action_note": "x"}).status_code == 404
    assert Alert.objects.get(pk=alert.pk).is_open


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.RESEARCHER, Role.INVENTORY_OFFICER])
def test_roles_away_from_the_chair_get_403(world, client_for, role):
    session = booked(world)
    assert client_for(role).get(url("session", session)).status_code == 403


@pytest.mark.parametrize("name", ["check_in", "verify", "cadss", "adverse_event", "discharge", "action", "vitals",
                                  "note", "override_dose", "sign", "cosign"])
def test_an_empty_post_is_refused_with_a_message_never_a_500(world, client_for, name):
    session = infusing(world)
    role = Role.PRESCRIBER if name in ("override_dose", "cosign") else Role.NURSE
    response = client_for(role).post(url(name, session), {})
    assert response.status_code == 400
    assert InfusionSession.objects.get(pk=session.pk).state == SessionState.INFUSING


def test_a_get_on_a_post_only_page_is_405_for_this_clinic_and_404_for_another(world, client_for):
    from django.test import Client

    session = infusing(world)
    assert client_for(Role.NURSE).get(url("vitals", session)).status_code == 405
    other = Client()
    other.force_login(world.b_users[Role.NURSE])
    assert other.get(url("vitals", session)).status_code == 404
