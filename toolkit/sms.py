"""Text messages through a small pluggable backend, chosen by settings.KETACARE_SMS_BACKEND.

Shared by patient reminders (measures) and alert deliveries (alerts), so it sits below both.

A backend is a class with `send(to, body)`; a real gateway is one more class. The demo
prints to the console; `FileSmsBackend` appends JSON lines to KETACARE_SMS_FILE
(default var/sms.jsonl) so a run can be inspected afterwards.
"""

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

from django.conf import settings
from django.utils.module_loading import import_string


class SmsError(RuntimeError):
    """The message could not be handed to the gateway."""


class BaseSmsBackend:
    def send(self, to: str, body: str) -> None:
        raise NotImplementedError


class ConsoleSmsBackend(BaseSmsBackend):
    """Print each message to standard output (development and demo)."""

    def send(self, to: str, body: str) -> None:
        sys.stdout.write(f"--- SMS to {to} ---\n{body}\n---\n")
        sys.stdout.flush()


class FileSmsBackend(BaseSmsBackend):
    """Append each message as one JSON line to a file."""

    def __init__(self, path: str | Path | None = None) -> None:
        default = Path(getattr(settings, "VAR_DIR", ".")) / "sms.jsonl"
        self.path = Path(path) if path else Path(getattr(settings, "KETACARE_SMS_FILE", default))

    def send(self, to: str, body: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"at": datetime.now(UTC).isoformat(), "to": to, "body": body})
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")


class LocmemSmsBackend(BaseSmsBackend):
    """Keep messages in memory (tests): `LocmemSmsBackend.outbox`."""

    outbox: ClassVar[list[tuple[str, str]]] = []

    def send(self, to: str, body: str) -> None:
        self.outbox.append((to, body))


def get_backend() -> BaseSmsBackend:
    """Return an instance of the configured backend."""
    path = getattr(settings, "KETACARE_SMS_BACKEND", "toolkit.sms.ConsoleSmsBackend")
    path = path.replace("measures.sms.", "toolkit.sms.", 1)  # the module's old home, still named in older settings
    return import_string(path)()


def send_sms(to: str, body: str) -> None:
    """Send one text message; raise SmsError if there is no number or the backend fails."""
    if not to.strip():
        raise SmsError("No phone number to text.")
    try:
        get_backend().send(to.strip(), body)
    except SmsError:
        raise
    except Exception as exc:  # a gateway failure of any kind
        raise SmsError(f"The text message could not be sent: {exc}") from exc
