"""Compose and send questionnaire links to patients (alert messages go through the alerts outbox).

Messages carry no clinical detail (minimum necessary): a patient's message names the
clinic and the link.
"""

import zoneinfo
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone

from toolkit import sms

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
