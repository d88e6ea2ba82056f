"""`ketacare score INSTRUMENT ITEMS [--cutpoint N]`: score answers with the kernel and print JSON.

Needs no database. Exit 0 with one JSON object on stdout; invalid input prints a clear
message on stderr and exits 2 (docs/instruments.md).
"""

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from clinical.errors import ClinicalError
from clinical.instruments import DEFAULT_PCL5_CUTPOINT, INSTRUMENTS, parse_items, score


class Command(BaseCommand):
    help = (f"Score one questionnaire and print the result as JSON. INSTRUMENT is one of {' '.join(INSTRUMENTS)}; "
            "ITEMS are the answers in item order separated by commas, empty for a missing or skipped item "
            "(C-SSRS: 1/0 for Q1..Q6 then Q6 within 3 months; CAPS-5: 20 severities then F and G as 1/0).")
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("instrument", help=" | ".join(INSTRUMENTS))
        parser.add_argument("items", help="answers, e.g. 1,2,,3 (quote it if it starts with a minus sign)")
        parser.add_argument("--cutpoint", type=int, default=DEFAULT_PCL5_CUTPOINT,
                            help=f"PCL-5 cut-point for the provisional diagnosis (31-33, default {DEFAULT_PCL5_CUTPOINT})")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = score(options["instrument"], parse_items(options["items"]), cutpoint=options["cutpoint"])
        except ClinicalError as exc:
            self.stderr.write(f"ketacare score: {exc}")
            sys.exit(2)
        self.stdout.write(json.dumps(result.as_dict()))
