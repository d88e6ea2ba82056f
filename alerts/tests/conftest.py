"""Fixtures of the alerts tests: alerts raised through the services of the apps that raise them."""

from datetime import UTC, datetime, timedelta

import pytest

from accounts.choices import Role
from alerts.models import Alert


class FailingEmailBackend:
    """An email backend whose SMTP server is down."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


def set_policy(world, clinic, **values):
    from accounts.services import update_policy

    assert update_policy(clinic=clinic, values=values, by=world.clinic_admin) == {}


@pytest.fixture
def sms_outbox(settings):
    from toolkit.sms import LocmemSmsBackend

    settings.KETACARE_SMS_BACKEND = "toolkit.sms.LocmemSmsBackend"
    LocmemSmsBackend.outbox.clear()
    return LocmemSmsBackend.outbox


@pytest.fixture
def patient(world):
    from ketacare.testing import make_course

    return make_course(world).patient


@pytest.fixture
def risk_alert(world, patient):
    """A suicide-risk alert from a PHQ-9 with item 9 answered 1, entered by the nurse."""
    from measures import services as measures

    measures.record_assessment(patient=patient, instrument="phq9", items=[0] * 8 + [1], by=world.users[Role.NURSE])
    return Alert.objects.get(kind="suicide_risk")


@pytest.fixture
def vital_alert(world):
    """A heart-rate warning raised by a typed reading of 130 bpm during an infusion."""
    from infusions import services as infusions
    from infusions.tests.helpers import infusing

    session = infusing(world)
    _, (alert,) = infusions.record_vitals(session=session, values={"heart_rate_bpm": 130}, by=world.users[Role.NURSE])
    return alert


def later(minutes: int) -> datetime:
    return datetime.now(UTC) + timedelta(minutes=minutes)
