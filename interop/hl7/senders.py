"""The clinic's registered monitor senders (MSH-3/MSH-4, optionally source addresses), and the refusal counters.

A message from a sender the clinic has not registered (or from an address its registration
does not list) is answered AE and counted in `Hl7Refusal`, one row per sender, address and
reason, never stored (docs/adr/0014-monitor-port.md). The listener keeps the registry in memory
(`SenderRegistry`, reloaded every few seconds); the one-message service asks the database.
"""

import ipaddress
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, connection, transaction

from accounts.actors import Actor, user_of
from accounts.models import Clinic
from accounts.permissions import Perm
from accounts.queries import require
from audit import services as audit
from clinical.hl7 import MessageHeader
from toolkit.errors import ServiceError

from ..models import Hl7Refusal, Hl7Sender

UNREGISTERED, WRONG_ADDRESS, POISON, QUARANTINE_FULL = "unregistered", "address", "poison", "quarantine_full"
REASONS = {
    UNREGISTERED: "sender not registered for this clinic (MSH-3/MSH-4); nothing was filed",
    WRONG_ADDRESS: "sender not registered from this address; nothing was filed",
    QUARANTINE_FULL: "the clinic's quarantine is full; the message was not kept",
}
RELOAD_S = 2.0
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _first(value: str) -> str:
    return value.split("^", 1)[0].strip()


def names_match(registered: str, sent: str) -> bool:
    """A registered MSH-3/MSH-4 matches as sent, or by the first component when it has no `^` itself."""
    registered, sent = registered.strip(), sent.strip()
    return registered == sent or ("^" not in registered and registered == _first(sent))


def parse_networks(text: str) -> tuple[Network, ...]:
    """Parse `10.0.4.12, 10.0.5.0/24`; raise ValueError naming what is not an address or network."""
    networks = []
    for part in (p.strip() for p in text.split(",")):
        if part:
            try:
                networks.append(ipaddress.ip_network(part, strict=False))
            except ValueError:
                raise ValueError(f"{part!r} is not an IP address or network") from None
    return tuple(networks)


def _in(addr: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return False
    return any(ip in net for net in networks)


@dataclass(frozen=True)
class Registered:
    sending_application: str
    sending_facility: str
    networks: tuple[Network, ...]


def refusal_of(senders: Sequence[Registered], header: MessageHeader, addr: str) -> str | None:
    """Why this sender may not send here (a key of REASONS), or None when a registration accepts it."""
    matching = [s for s in senders if names_match(s.sending_application, header.sending_application)
                and names_match(s.sending_facility, header.sending_facility)]
    if not matching:
        return UNREGISTERED
    if any(not s.networks or _in(addr, s.networks) for s in matching):
        return None
    return WRONG_ADDRESS


def registered(clinic: Clinic) -> list[Registered]:
    """The clinic's active registrations (a stored address list that no longer parses accepts nothing)."""
    out = []
    for app, facility, addresses in Hl7Sender.objects.filter(clinic=clinic, active=True).values_list(
            "sending_application", "sending_facility", "source_addresses"):
        try:
            networks = parse_networks(addresses)
        except ValueError:
            networks = (ipaddress.ip_network("0.0.0.0/32"),)
        out.append(Registered(app, facility, networks))
    return out


class SenderRegistry:
    """The clinic's registrations in memory for the filing thread, reloaded every RELOAD_S seconds."""

    def __init__(self, clinic: Clinic, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.clinic, self.clock = clinic, clock
        self._loaded_at = float("-inf")
        self._senders: list[Registered] = []

    def refusal(self, header: MessageHeader, addr: str) -> str | None:
        if self.clock() - self._loaded_at > RELOAD_S:
            self._senders, self._loaded_at = registered(self.clinic), self.clock()
        return refusal_of(self._senders, header, addr)


def count_refusals(clinic: Clinic, refusals: Sequence[tuple[MessageHeader, str, str]], at: datetime) -> None:
    """Add each (header, address, reason) to its counter in one statement per counter (inside the transaction).

    A counter's first refusal writes an audit event naming the sender; later ones only count, so a
    flood of refused messages grows neither the database nor the audit trail.
    """
    totals: dict[tuple[str, str, str, str], int] = {}
    for header, addr, reason in refusals:
        key = (header.sending_application[:180], header.sending_facility[:180], addr[:64], reason)
        totals[key] = totals.get(key, 0) + 1
    table = connection.ops.quote_name(Hl7Refusal._meta.db_table)
    stamp = connection.ops.adapt_datetimefield_value(at)
    sql = (f"INSERT INTO {table} (clinic_id, sending_application, sending_facility, source_addr, reason, count, "  # noqa: S608
           "first_at, last_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (clinic_id, sending_application, "
           "sending_facility, source_addr, reason) DO UPDATE SET count = "
           f"{table}.count + excluded.count, last_at = excluded.last_at RETURNING count")
    with connection.cursor() as cursor:
        for (app, facility, addr, reason), n in sorted(totals.items()):
            cursor.execute(sql, [clinic.pk, app, facility, addr, reason, n, stamp, stamp])
            if int(cursor.fetchone()[0]) == n:  # a new counter
                audit.record(action="hl7_refuse", by=f"hl7:{app}"[:150], clinic=clinic,
                             detail={"sender": app, "facility": facility, "address": addr, "reason": reason})


def _check_names(app: str, facility: str) -> tuple[str, str]:
    app, facility = app.strip(), facility.strip()
    errors = {}
    for key, value, label in (("sending_application", app, "MSH-3"), ("sending_facility", facility, "MSH-4")):
        if not value:
            errors[key] = f"{label} is required."
        elif len(value) > 180 or "|" in value or any(ord(c) < 32 for c in value):
            errors[key] = f"{label}: at most 180 characters, no '|' or control characters."
    if errors:
        raise ServiceError("Check the sender's names.", errors)
    return app, facility


def register_sender(*, clinic: Clinic, sending_application: str, sending_facility: str, source_addresses: str = "",
                    note: str = "", at: datetime, by: Actor) -> Hl7Sender:
    """Register (or re-activate) a sender the clinic accepts monitor messages from."""
    if user_of(by) is not None:
        require(Perm.MANAGE_CLINIC, by, clinic, to="register monitor senders")
    app, facility = _check_names(sending_application, sending_facility)
    try:
        networks = ", ".join(str(n) for n in parse_networks(source_addresses))
    except ValueError as exc:
        raise ServiceError(f"Source addresses: {exc}.", {"source_addresses": str(exc)}) from None
    with transaction.atomic():
        sender = Hl7Sender.objects.filter(clinic=clinic, sending_application=app, sending_facility=facility).first()
        if sender is None:
            try:
                with transaction.atomic():
                    sender = Hl7Sender.objects.create(clinic=clinic, sending_application=app, sending_facility=facility,
                                                      source_addresses=networks, note=note.strip()[:200], created_at=at)
            except IntegrityError:
                raise ServiceError("This sender is already registered.") from None
        else:
            sender.source_addresses, sender.note, sender.active = networks, note.strip()[:200] or sender.note, True
            sender.save(update_fields=["source_addresses", "note", "active"])
        audit.record(action="hl7_sender_register", by=by, clinic=clinic, obj=sender,
                     detail={"sender": app, "facility": facility, "addresses": networks})
    return sender


def retire_sender(*, sender: Hl7Sender, by: Actor) -> Hl7Sender:
    """Stop accepting a sender's messages (the registration is kept, inactive, for the record)."""
    if user_of(by) is not None:
        require(Perm.MANAGE_CLINIC, by, sender.clinic, to="retire monitor senders")
    with transaction.atomic():
        sender.active = False
        sender.save(update_fields=["active"])
        audit.record(action="hl7_sender_retire", by=by, clinic=sender.clinic, obj=sender,
                     detail={"sender": sender.sending_application, "facility": sender.sending_facility})
    return sender


def default_sender(clinic: Clinic, *, at: datetime, by: Any, apps: Sequence[str] = ("KETACARE_SIM", "KETACARE_SIM_B",
                                                                                   "IFENGINE")) -> None:
    """Register the simulated senders `ketacare hl7-sample` writes (the demo and tests; facility DEMO_CLINIC)."""
    for app in apps:
        register_sender(clinic=clinic, sending_application=app, sending_facility="DEMO_CLINIC", at=at, by=by,
                        note="simulated monitor (ketacare hl7-sample)")


