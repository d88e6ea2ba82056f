"""The words of alert deliveries: where to look, never what (minimum necessary; no patient identifiers)."""

import zoneinfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from .choices import Channel
from .models import Alert
from .outbox import Notice


def absolute(path: str) -> str:
    return settings.KETACARE_BASE_URL.rstrip("/") + path


def _local(alert: Alert) -> str:
    return timezone.localtime(alert.raised_at, zoneinfo.ZoneInfo(alert.clinic.time_zone)).strftime("%a %d %b %H:%M")


def session_url(alert: Alert) -> str:
    return absolute(reverse("infusions:session", kwargs={"session_id": alert.session_id}))


def acknowledge_url(alert: Alert) -> str:
    return absolute(reverse("measures:acknowledge", args=[alert.pk]))


def adverse_event_email(alert: Alert, to: str) -> Notice:
    body = (f"A serious adverse event was recorded in infusion session {alert.session_id} at "
            f"{alert.clinic.name}.\n\nOpen the session in KetaCare to review it: {session_url(alert)}\n")
    return Notice(Channel.EMAIL, to, "KetaCare: serious adverse event", body)


def escalation_email(alert: Alert, to: str, minutes: int) -> Notice:
    body = (f"A suicide-risk alert at {alert.clinic.name} (alert {alert.pk}, raised "
            f"{_local(alert)}) has not been acknowledged for {minutes} minutes.\n\n"
            f"Open it, contact the patient and record the action taken: {acknowledge_url(alert)}\n")
    return Notice(Channel.EMAIL, to, f"URGENT: unacknowledged suicide-risk alert at {alert.clinic.name}", body)


def discrepancy_email(alert: Alert, to: str) -> Notice:
    body = (f"A count at {alert.clinic.name} differs from the ledger (alert {alert.pk}, raised {_local(alert)}).\n\n"
            f"Open the open discrepancies in KetaCare and resolve this one: {absolute(reverse('inventory:home'))}\n")
    return Notice(Channel.EMAIL, to, f"KetaCare: ledger discrepancy at {alert.clinic.name}", body)


def oncall_text(alert: Alert, phone: str, *, escalation: bool = False) -> Notice:
    where = acknowledge_url(alert) if alert.session_id is None else session_url(alert)
    what = "Unacknowledged critical alert" if escalation else "Critical alert"
    return Notice(Channel.SMS, phone, "", f"KetaCare: {what} {alert.pk} at {alert.clinic.name}. Open: {where}")
