"""`ketacare send-alerts`: send the outbox's pending alert deliveries (email, SMS), each once.

Idempotent and cron-safe: a row is claimed before it is sent, so overlapping runs never send it twice;
a failure is recorded on the row and retried later, up to a limit. Prints one summary line.
"""

import sys
from datetime import UTC, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from alerts import outbox


class Command(BaseCommand):
    help = "Send pending alert deliveries (email through Django mail, SMS through the SMS backend), once each."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=500, help="Send at most this many rows in this run (default 500).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["limit"] < 1:
            self.stderr.write("--limit must be 1 or more.")
            sys.exit(2)
        run = outbox.send_pending(now=datetime.now(UTC), limit=options["limit"])
        for error in run.errors:
            self.stderr.write(error)
        self.stdout.write(f"send-alerts: {run.summary()}")
        if run.failed:
            sys.exit(1)
