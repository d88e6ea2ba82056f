"""`ketacare hl7-senders add|list|retire|refused`: the monitors and engines a clinic accepts HL7 from (ADR 0014).

The listener answers AE to any other sender and only counts it; `refused` prints those counters, so
the clinic admin can register a new monitor its interface team forgot to announce.
"""

import json
from datetime import UTC, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from infusions.management.clinic_option import clinic_from
from interop import services
from interop.models import Hl7Refusal, Hl7Sender
from toolkit.errors import ServiceError

ACTOR = "command line"


class Command(BaseCommand):
    help = "Register, list and retire the HL7 senders (MSH-3/MSH-4) a clinic accepts; show the refused ones."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--clinic", help="Slug of the clinic (default: the only clinic).")
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="accept messages from a sender (MSH-3 and MSH-4 as the monitor sends them)")
        add.add_argument("--application", required=True, help="MSH-3, e.g. KETACARE_SIM or MONITOR^00A0^EUI-64")
        add.add_argument("--facility", required=True, help="MSH-4, e.g. DEMO_CLINIC")
        add.add_argument("--addresses", default="", help="only from these IP addresses or networks, comma-separated")
        add.add_argument("--note", default="")
        sub.add_parser("list", help="list the registered senders as JSON lines")
        retire = sub.add_parser("retire", help="stop accepting a sender")
        retire.add_argument("--application", required=True)
        retire.add_argument("--facility", required=True)
        sub.add_parser("refused", help="the counters of refused messages as JSON lines, newest first")

    def handle(self, *args: Any, **options: Any) -> None:
        clinic = clinic_from(options["clinic"])
        try:
            getattr(self, f"_{options['action']}")(clinic, options)
        except ServiceError as exc:
            raise CommandError(" ".join([exc.message, *exc.field_errors.values()])) from None

    def _add(self, clinic: Any, options: dict[str, Any]) -> None:
        sender = services.register_sender(clinic=clinic, sending_application=options["application"],
                                          sending_facility=options["facility"], source_addresses=options["addresses"],
                                          note=options["note"], at=datetime.now(UTC), by=ACTOR)
        self.stdout.write(json.dumps(_sender(sender)))

    def _list(self, clinic: Any, options: dict[str, Any]) -> None:
        for sender in Hl7Sender.objects.filter(clinic=clinic):
            self.stdout.write(json.dumps(_sender(sender)))

    def _retire(self, clinic: Any, options: dict[str, Any]) -> None:
        sender = Hl7Sender.objects.filter(clinic=clinic, sending_application=options["application"].strip(),
                                          sending_facility=options["facility"].strip()).first()
        if sender is None:
            raise CommandError("No such sender is registered for this clinic.")
        self.stdout.write(json.dumps(_sender(services.retire_sender(sender=sender, by=ACTOR))))

    def _refused(self, clinic: Any, options: dict[str, Any]) -> None:
        for row in Hl7Refusal.objects.filter(clinic=clinic):
            self.stdout.write(json.dumps({
                "application": row.sending_application, "facility": row.sending_facility, "address": row.source_addr,
                "reason": row.reason, "count": row.count, "first_at": row.first_at.isoformat(),
                "last_at": row.last_at.isoformat()}))


def _sender(sender: Hl7Sender) -> dict[str, Any]:
    return {"application": sender.sending_application, "facility": sender.sending_facility,
            "addresses": sender.source_addresses, "active": sender.active, "note": sender.note}
