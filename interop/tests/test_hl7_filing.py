"""Filing monitor messages through the service: match, idempotency, quarantine, assign and dismiss."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from accounts.choices import Role
from alerts.models import Alert
from audit.models import AuditEvent
from clinical.hl7 import Hl7Reject
from clinical.hl7.samples import SampleStyle, SampleVitals, sample_oru
from infusions.choices import ReadingSource
from infusions.models import VitalSign
from infusions.tests.helpers import booked, infusing, t0
from interop import services
from interop.choices import Hl7Status
from interop.models import Hl7Message
from scheduling.services import add_chair
from toolkit.errors import ServiceError

pytestmark = pytest.mark.django_db


def message(session, control_id="C1", style=SampleStyle.PCD01_MDC, at=None, mrn=None, chair=None, **vitals):
    at = at or datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    return sample_oru(style, mrn=mrn or session.patient.mrn, chair=chair or session.chair.name, control_id=control_id,
                      observed_at=at.astimezone(__import__("zoneinfo").ZoneInfo(session.clinic.time_zone)),
                      vitals=SampleVitals(**{k: Decimal(str(v)) for k, v in vitals.items()}))


@pytest.mark.parametrize("style", list(SampleStyle))
def test_each_vendor_style_is_filed_as_one_device_reading(world, style):
    session = infusing(world)
    filing = services.file_hl7_message(clinic=world.a, raw=message(session, style=style).encode())
    assert (filing.code, filing.readings) == ("AA", 1)
    vital = VitalSign.objects.get(session=session, source=ReadingSource.DEVICE)
    assert (vital.systolic_mmhg, vital.diastolic_mmhg, vital.heart_rate_bpm, vital.resp_rate_per_min) == (128, 82, 76, 14)
    assert vital.message_control_id == "C1" and vital.device and vital.entered_by is None
    assert Hl7Message.objects.get().status == Hl7Status.FILED
    assert AuditEvent.objects.filter(action="hl7_file").exists()


def test_a_resend_is_answered_aa_and_files_nothing_twice(world):
    session = infusing(world)
    raw = message(session)
    services.file_hl7_message(clinic=world.a, raw=raw)
    again = services.file_hl7_message(clinic=world.a, raw=raw)
    assert (again.code, again.duplicate) == ("AA", True)
    assert VitalSign.objects.filter(source=ReadingSource.DEVICE).count() == 1 and Hl7Message.objects.count() == 1


def test_the_same_control_id_from_another_monitor_is_a_new_message(world):
    session = infusing(world)
    services.file_hl7_message(clinic=world.a, raw=message(session, style=SampleStyle.PCD01_MDC))
    other = services.file_hl7_message(clinic=world.a, raw=message(session, style=SampleStyle.MDC_UCUM))
    assert other.code == "AA" and not other.duplicate and Hl7Message.objects.count() == 2


def test_a_device_reading_past_a_threshold_raises_the_alert(world):
    session = infusing(world)
    services.file_hl7_message(clinic=world.a, raw=message(session, systolic_mmhg=186, diastolic_mmhg=96))
    alert = Alert.objects.get(session=session)
    assert (alert.rule, alert.threshold, alert.level) == ("sbp_pause", "180", "pause")


@pytest.mark.parametrize(("tweak", "why"), [
    ({"mrn": "NOBODY"}, "unknown patient"),
    ({"chair": "Chair 9"}, None),
    ({"spo2_pct": 40}, "impossible values"),
])
def test_unfileable_messages_get_ae_and_wait_in_quarantine(world, tweak, why):
    session = infusing(world)
    if "chair" in tweak:
        add_chair(clinic=world.a, name="Chair 9", by=world.users[Role.CLINIC_ADMIN])
        why = "chair in PV1-3 is not the chair"
    filing = services.file_hl7_message(clinic=world.a, raw=message(session, **tweak))
    assert filing.code == "AE" and why in filing.text
    held = Hl7Message.objects.get()
    assert held.status == Hl7Status.QUARANTINED and held.raw.startswith("MSH") and why in held.error
    assert not VitalSign.objects.filter(source=ReadingSource.DEVICE).exists()
    assert session.patient.family_name not in filing.text


def test_no_session_in_progress_is_quarantined(world):
    session = booked(world)
    filing = services.file_hl7_message(clinic=world.a, raw=message(session))
    assert filing.code == "AE" and "no session in progress" in filing.text


def test_an_unknown_chair_name_does_not_block_filing(world):
    session = infusing(world)
    assert services.file_hl7_message(clinic=world.a, raw=message(session, chair="BED-77")).code == "AA"


def test_a_chair_location_code_with_components_matches(world):
    chair = add_chair(clinic=world.a, name="Window", location_code="INF^CHAIR7", by=world.users[Role.CLINIC_ADMIN])
    session = infusing(world)
    type(chair).objects.filter(pk=session.chair_id).update(location_code="INFUSION^CHAIR1")
    raw = message(session).replace(f"PV1||O|INFUSION^^{session.chair.name}^KETACARE", "PV1||O|INFUSION^^CHAIR1")
    assert services.file_hl7_message(clinic=world.a, raw=raw).code == "AA"
    wrong = message(session, control_id="C2").replace(f"PV1||O|INFUSION^^{session.chair.name}^KETACARE", "PV1||O|INF^^CHAIR7")
    assert services.file_hl7_message(clinic=world.a, raw=wrong).code == "AE"


def test_a_resend_of_a_quarantined_message_adds_no_row_and_files_once_the_session_starts(world):
    start = t0()
    session = booked(world, start)
    raw = message(session)
    assert services.file_hl7_message(clinic=world.a, raw=raw).code == "AE"
    assert services.file_hl7_message(clinic=world.a, raw=raw).code == "AE"
    assert Hl7Message.objects.count() == 1
    from infusions.tests.helpers import check_in

    check_in(world, session, at=start)
    assert services.file_hl7_message(clinic=world.a, raw=raw).code == "AA"
    assert Hl7Message.objects.get().status == Hl7Status.FILED


def test_garbage_is_rejected_for_an_ar(world):
    with pytest.raises(Hl7Reject):
        services.file_hl7_message(clinic=world.a, raw=b"hello, monitor")
    assert not Hl7Message.objects.exists()


def test_a_nurse_assigns_a_quarantined_message_to_a_session(world):
    session = infusing(world)
    services.file_hl7_message(clinic=world.a, raw=message(session, mrn="UNKNOWN-7"))
    held = Hl7Message.objects.get()
    with pytest.raises(ServiceError, match="does not allow"):
        services.assign_hl7_message(message=held, session=session, by=world.users[Role.FRONT_DESK])
    done = services.assign_hl7_message(message=held, session=session, by=world.users[Role.NURSE])
    assert done.status == Hl7Status.ASSIGNED and done.reading_count == 1
    assert VitalSign.objects.filter(session=session, hl7_message_id=held.pk).count() == 1
    with pytest.raises(ServiceError, match="no longer in quarantine"):
        services.assign_hl7_message(message=held, session=session, by=world.users[Role.NURSE])
    assert services.file_hl7_message(clinic=world.a, raw=message(session, mrn="UNKNOWN-7")).code == "AA"


def test_a_message_with_impossible_values_cannot_be_assigned_only_dismissed(world):
    session = infusing(world)
    services.file_hl7_message(clinic=world.a, raw=message(session, spo2_pct=30))
    held = Hl7Message.objects.get()
    with pytest.raises(ServiceError, match="cannot be filed"):
        services.assign_hl7_message(message=held, session=session, by=world.users[Role.NURSE])
    with pytest.raises(ServiceError, match="reason"):
        services.dismiss_hl7_message(message=held, reason="", by=world.users[Role.NURSE])
    done = services.dismiss_hl7_message(message=held, reason="Probe off the finger", by=world.users[Role.NURSE])
    assert done.status == Hl7Status.DISMISSED
    assert services.file_hl7_message(clinic=world.a, raw=message(session, spo2_pct=30)).code == "AE"


def test_a_message_for_another_clinics_patient_is_not_filed(world):
    from ketacare.testing import make_session

    other = make_session(world, t0(), clinic=world.b)
    filing = services.file_hl7_message(clinic=world.a, raw=message(other))
    assert filing.code == "AE" and not VitalSign.objects.filter(source=ReadingSource.DEVICE).exists()


def test_another_clinics_users_get_404_for_a_held_message(world):
    from django.test import Client
    from django.urls import reverse

    session = infusing(world)
    services.file_hl7_message(clinic=world.a, raw=message(session, mrn="UNKNOWN-9"))
    held = Hl7Message.objects.get()
    other = Client()
    other.force_login(world.b_users[Role.NURSE])
    assert other.get(reverse("interop:quarantined", kwargs={"message_id": held.pk})).status_code == 404
    assert other.post(f"/api/interop/quarantine/{held.pk}/dismiss", {"reason": "x"},
                      content_type="application/json").status_code == 404
    assert Hl7Message.objects.get().status == Hl7Status.QUARANTINED
