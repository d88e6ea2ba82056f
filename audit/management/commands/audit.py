"""`ketacare audit verify|seal`: check every clinic's hash chain (exit 1 on tampering), or seal waiting events."""

import sys

from django.core.management.base import BaseCommand, CommandParser

from audit.sealing import seal_all
from audit.verify import Checked, verify_chain


class Command(BaseCommand):
    help = ("Audit trail tools: `verify` seals waiting events, checks every chain and exits non-zero on "
            "tampering; `seal` seals waiting events into their chains (run it from cron if you like).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "seal"])

    def handle(self, *args: object, **options: object) -> None:
        if options["action"] == "seal":
            self.stdout.write(f"audit: sealed {seal_all()} event(s)")
            return
        tally: list[Checked] = []
        problems = list(verify_chain(tally=tally))
        for p in problems:
            self.stderr.write(f"audit chain {p.chain} row {p.seq}: {p.problem}")
        checked = tally[0]
        if problems:
            self.stderr.write(f"audit chain BROKEN: {len(problems)} problem(s) in {checked.rows} rows "
                              f"of {checked.chains} chain(s)")
            sys.exit(1)
        self.stdout.write(f"audit chain intact: {checked.rows} rows verified in {checked.chains} chain(s)")
