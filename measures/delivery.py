"""Compose and send messages: questionnaire links to patients, escalations to prescribers.

Messages carry no clinical detail (minimum necessary): a patient's message names the
clinic and the link; an escalation names the alert and where to open it.
"""

import zoneinfo
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone

from . import sms
from .choices import Channel


class DeliveryError(RuntimeError):
    """A message could not be sent."""


def absolute(path: str) -> str:
    return settings.KETACARE_BASE_URL.rstrip("/") + path


def link_url(token: str) -> str:
    return absolute(reverse("measures:answer", kwargs={"token": token}))


def _local(value: Any, clinic: Any) -> str:
    return timezone.localtime(value, zoneinfo.ZoneInfo(clinic.time_zone)).strftime("%a %d %b %H:%M")


def link_message(link: Any, token: str) -> str:
    return (f"{link.clinic.name} asks you to answer a short questionnaire before your next visit: "
            f"{link_url(token)} . The link works once and expires {_local(link.expires_at, link.clinic)}.")


def send_link(link: Any, token: str, channels: Sequence[str]) -> None:
    """Send a questionnaire link by each channel; raise DeliveryError if one fails."""
    body = link_message(link, token)
    for channel in channels:
        try:
            if channel == Channel.EMAIL:
                send_mail(f"Questionnaire from {link.clinic.name}", body, None, [link.patient.email])
            elif channel == Channel.SMS:
                sms.send_sms(link.patient.phone, body)
        except (OSError, sms.SmsError) as exc:
            raise DeliveryError(f"Sending by {channel} failed: {exc}") from exc


def send_escalation(alert: Any, recipients: Sequence[Any], minutes: int) -> None:
    """Email the on-call prescriber(s) about an unacknowledged suicide-risk alert."""
    url = absolute(reverse("measures:acknowledge", args=[alert.pk]))
    body = (f"A suicide-risk alert at {alert.clinic.name} (alert {alert.pk}, raised "
            f"{_local(alert.raised_at, alert.clinic)}) has not been acknowledged for {minutes} minutes.\n\n"
            f"Open it, contact the patient and record the action taken: {url}\n")
    try:
        send_mail(f"URGENT: unacknowledged suicide-risk alert at {alert.clinic.name}", body, None,
                  [u.email for u in recipients])
    except OSError as exc:
        raise DeliveryError(f"The escalation email could not be sent: {exc}") from exc
