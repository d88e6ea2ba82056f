"""`ketacare audit verify`: check the audit hash chain; exit 1 on any altered or removed row."""

import sys

from django.core.management.base import BaseCommand, CommandParser

from audit.models import AuditEvent
from audit.services import verify_chain


class Command(BaseCommand):
    help = "Audit trail tools: `verify` checks the hash chain and exits non-zero on tampering."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: object, **options: object) -> None:
        total = AuditEvent.objects.count()
        problems = list(verify_chain())
        for p in problems:
            self.stderr.write(f"audit row {p.seq}: {p.problem}")
        if problems:
            self.stderr.write(f"audit chain BROKEN: {len(problems)} problem(s) in {total} rows")
            sys.exit(1)
        self.stdout.write(f"audit chain intact: {total} rows verified")
