"""Early stops with the dose given, the paused clock, and a Sign button only when the record can be signed (issue 10)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.choices import Role
from accounts.services import update_policy
from audit.models import AuditEvent
from infusions import services
from infusions.choices import SessionState
from infusions.models import InfusionSession

from .helpers import ALDRETE_READY, infusing, recovering, t0

pytestmark = pytest.mark.django_db


def url(name, session):
    return reverse(f"infusions:{name}", kwargs={"session_id": session.pk})


def clock_from(html):
    import re
    from datetime import datetime

    return datetime.fromisoformat(re.search(r'data-elapsed-since="([^"]+)"', html).group(1))


def still_infusing(session):
    session.refresh_from_db()
    return (session.state == SessionState.INFUSING and session.infusion_ended_at is None and not session.infusion_stop
            and not session.events.filter(action="stop_infusion").exists())


@pytest.mark.parametrize("reason", ["", "   ", "tired"])
def test_dose_complete_before_the_planned_time_needs_a_reason_and_writes_nothing(world, reason):
    start = t0(3)
    session = infusing(world, start)  # started at start + 10 min, planned 40 min
    with pytest.raises(Exception, match=r"Stopping after 25.0 of 40 min \(before the planned time\)") as refused:
        services.stop_infusion(session=session, reason=reason, at=start + timedelta(minutes=35), by=world.users[Role.NURSE])
    assert "reason" in refused.value.field_errors
    assert still_infusing(session)


def test_an_early_dose_complete_records_the_early_stop_and_the_dose_given(world):
    start = t0(3)
    session = infusing(world, start)
    session = services.stop_infusion(session=session, reason="Patient asked to stop; mild nausea.",
                                     at=start + timedelta(minutes=35), by=world.users[Role.NURSE])
    assert session.state == SessionState.RECOVERING
    stop = InfusionSession.objects.get(pk=session.pk).infusion_stop
    assert stop | {} == {"action": "stop_infusion", "infused_min": "25.0", "planned_min": "40", "early": True,
                         "reason": "Patient asked to stop; mild nausea.", "planned_mg": "35.00", "given_mg": "21.88",
                         "given_basis": "rate x infusing time (pauses excluded)"}  # the ledger's figure (ADR 0015)
    assert session.events.get(action="stop_infusion").reason == "Patient asked to stop; mild nausea."
    assert AuditEvent.objects.get(action="session_stop_infusion").detail["stop"]["given_mg"] == "21.88"
    assert InfusionSession.objects.get(pk=session.pk).given_mg == Decimal("21.88")  # one figure, stored twice


def test_pauses_are_excluded_and_an_on_time_stop_needs_no_reason(world):
    start = t0(3)
    session = infusing(world, start)
    nurse = world.users[Role.NURSE]
    services.pause(session=session, reason="BP 182/96", at=start + timedelta(minutes=20), by=nurse)
    services.resume(session=session, at=start + timedelta(minutes=30), by=nurse)
    with pytest.raises(Exception, match="30.0 of 40 min"):  # 40 on the wall clock, 30 infused
        services.stop_infusion(session=session, at=start + timedelta(minutes=50), by=nurse)
    session = services.stop_infusion(session=session, at=start + timedelta(minutes=60), by=nurse)
    stop = InfusionSession.objects.get(pk=session.pk).infusion_stop
    assert (stop["infused_min"], stop["early"], stop["given_mg"], stop["reason"]) == ("40.0", False, "35.00", "")


def test_the_tolerance_is_a_clinic_setting(world):
    update_policy(clinic=world.a, values={"infusion_early_stop_tolerance_min": "5"}, by=world.users[Role.CLINIC_ADMIN])
    start = t0(3)
    session = infusing(world, start)
    session = services.stop_infusion(session=session, at=start + timedelta(minutes=46), by=world.users[Role.NURSE])
    assert InfusionSession.objects.get(pk=session.pk).infusion_stop["early"] is False  # 36 of 40 min, within 5


def test_stop_early_and_transfer_record_the_dose_given_too(world):
    start = t0(3)
    session = infusing(world, start)
    services.stop_early(session=session, reason="Distress", at=start + timedelta(minutes=20), by=world.users[Role.NURSE])
    stop = InfusionSession.objects.get(pk=session.pk).infusion_stop
    assert (stop["action"], stop["infused_min"], stop["given_mg"], stop["early"]) == ("stop_early", "10.0", "8.75", True)


def test_the_record_and_the_screen_show_planned_and_given_side_by_side(world, client_for):
    start = t0(3)
    session = infusing(world, start)
    services.stop_infusion(session=session, reason="Patient asked to stop; mild nausea.",
                           at=start + timedelta(minutes=35), by=world.users[Role.NURSE])
    for name in ("record", "session"):
        html = client_for(Role.NURSE).get(url(name, session)).content.decode()
        assert "Given 21.88 mg</strong> of 35.00 mg planned · infused 25.0 of 40 min" in html
        assert "Early stop</span> Patient asked to stop; mild nausea." in html


def test_the_stop_button_asks_for_a_reason_before_the_planned_time(world, client_for):
    session = infusing(world, t0(0.2))  # started 2 min ago
    html = client_for(Role.NURSE).get(url("session", session)).content.decode()
    assert 'placeholder="Reason to stop after' in html and "(before the planned time)" in html
    refused = client_for(Role.NURSE).post(url("action", session), {"action": "stop_infusion"})
    assert refused.status_code == 400 and "before the planned time" in refused.content.decode()
    assert still_infusing(session)
    done = client_for(Role.NURSE).post(url("action", session), {"action": "stop_infusion",
                                                                 "reason": "Patient asked to stop; mild nausea."})
    assert done.status_code == 302
    assert InfusionSession.objects.get(pk=session.pk).infusion_stop["early"] is True


def test_the_paused_state_shows_paused_for_with_its_own_clock(world, client_for):
    start = t0(1)
    session = infusing(world, start)
    paused_at = start + timedelta(minutes=25)
    services.pause(session=session, reason="BP 182/96", at=paused_at, by=world.users[Role.NURSE])
    html = client_for(Role.NURSE).get(url("session", session)).content.decode()
    assert '<h2 id="clock-title">Paused for</h2>' in html
    assert clock_from(html) == paused_at
    assert "Infused 15.0 of 40 min (pauses excluded)" in html
    services.resume(session=session, at=start + timedelta(minutes=30), by=world.users[Role.NURSE])
    html = client_for(Role.NURSE).get(url("session", session)).content.decode()
    assert '<h2 id="clock-title">Infusing for</h2>' in html
    assert clock_from(html) == start + timedelta(minutes=10)


def test_sign_is_offered_only_when_the_record_can_be_signed(world, client_for):
    update_policy(clinic=world.a, values={"infusion_observation_min": "0"}, by=world.users[Role.CLINIC_ADMIN])
    start = t0(3)
    session = recovering(world, start)
    nurse = client_for(Role.NURSE)
    html = nurse.get(url("record", session)).content.decode()
    assert "Sign as nurse" not in html and "signed once the session has ended" in html
    assert not services.can_sign(session)
    assert nurse.post(url("sign", session)).status_code == 400
    assert InfusionSession.objects.get(pk=session.pk).signed_at is None
    services.discharge_patient(session=session, item_scores=ALDRETE_READY, escort_confirmed=True,
                               at=start + timedelta(minutes=55), by=world.users[Role.NURSE])
    assert "Sign as nurse" in nurse.get(url("record", session)).content.decode()
    assert nurse.post(url("sign", session)).status_code == 302
    assert "Sign as nurse" not in nurse.get(url("record", session)).content.decode()


def test_the_given_dose_is_a_decimal_of_the_plan(world):
    start = t0(3)
    session = infusing(world, start)
    services.stop_infusion(session=session, at=start + timedelta(minutes=50), by=world.users[Role.NURSE])
    stop = InfusionSession.objects.get(pk=session.pk).infusion_stop
    assert Decimal(stop["given_mg"]) == Decimal(stop["planned_mg"])


# CADSS: all 23 items, or an explicit "incomplete" with a reason (CLINICAL.md section 3).

@pytest.mark.parametrize("reason", ["", "drowsy"])
def test_an_incomplete_cadss_without_a_real_reason_is_refused_and_nothing_is_written(world, reason):
    session = recovering(world)
    with pytest.raises(Exception, match=r"3 of 23 items unanswered") as refused:
        services.record_cadss(session=session, answers=[1] * 20 + [None] * 3, incomplete_reason=reason,
                              by=world.users[Role.NURSE])
    assert "incomplete_reason" in refused.value.field_errors
    assert InfusionSession.objects.get(pk=session.pk).cadss == {}
    assert not AuditEvent.objects.filter(action="session_cadss").exists()


def test_an_incomplete_cadss_with_a_reason_is_recorded_as_incomplete(world, client_for):
    session = recovering(world)
    services.record_cadss(session=session, answers=[1] * 20 + [None] * 3,
                          incomplete_reason="Patient too drowsy to answer the last three items.", by=world.users[Role.NURSE])
    cadss = InfusionSession.objects.get(pk=session.pk).cadss
    assert cadss["complete"] is False and cadss["total"] is None
    assert cadss["incomplete_reason"] == "Patient too drowsy to answer the last three items."
    html = client_for(Role.NURSE).get(url("record", session)).content.decode()
    assert "incomplete: Patient too drowsy to answer the last three items." in html


def test_a_complete_cadss_needs_no_reason(world):
    session = recovering(world)
    services.record_cadss(session=session, answers=[0] * 23, by=world.users[Role.NURSE])
    cadss = InfusionSession.objects.get(pk=session.pk).cadss
    assert cadss["complete"] is True and cadss["total"] == 0 and cadss["incomplete_reason"] == ""


def test_the_cadss_page_and_api_refuse_a_partial_answer_without_a_reason(world, client_for):
    from ketacare.testing import api_json

    session = recovering(world)
    form = {f"cadss-{n}": "1" for n in range(1, 21)}
    page = client_for(Role.NURSE).post(url("cadss", session), form)
    assert page.status_code == 400 and "incomplete with the reason" in page.content.decode()
    nurse = api_json(world.users[Role.NURSE], world.a, "/infusions")
    status, body = nurse("post", f"/sessions/{session.pk}/cadss", {"answers": [1] * 20 + [None] * 3})
    assert status == 400 and "incomplete_reason" in body["fields"]
    assert InfusionSession.objects.get(pk=session.pk).cadss == {}
    status, body = nurse("post", f"/sessions/{session.pk}/cadss", {"answers": [1] * 20 + [None] * 3,
                                                                  "incomplete_reason": "Patient fell asleep at item 21."})
    assert status == 200 and body["cadss"]["complete"] is False
