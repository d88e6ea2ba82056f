"""`ketacare report outcomes [--clinic SLUG] [--from DIR ...] [--response-pct N] [--response-points N|none]
[--remission-cutpoint N] [--json]`: the outcome report from the database or pooled exports."""

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from accounts.models import Clinic
from clinical.errors import ClinicalError
from outcomes.report import clinic_definitions, from_database, from_exports
from outcomes.text import summary_lines


def _points(value: str) -> int | None:
    if value.lower() == "none":
        return None
    try:
        return int(value)
    except ValueError as exc:
        raise ValueError(f"--response-points takes a whole number or none (got {value!r}).") from exc


class Command(BaseCommand):
    help = "Outcome report (issue 11 definitions) from the database or from research export directories."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        out = sub.add_parser("outcomes", help="Response, remission, change, durability, safety, follow-up.")
        out.add_argument("--clinic", help="Clinic slug (default: every clinic).")
        out.add_argument("--from", dest="sources", action="append", default=[], metavar="DIR",
                         help="Research export directory; repeat to pool several.")
        out.add_argument("--response-pct", type=int)
        out.add_argument("--response-points", help="Points drop that also counts as response, or none.")
        out.add_argument("--remission-cutpoint", type=int)
        out.add_argument("--json", action="store_true", help="Print one JSON object.")

    def _fail(self, message: str) -> None:
        self.stderr.write(f"ketacare report outcomes: {message}")
        sys.exit(2)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = self._report(options)
        except (ClinicalError, ValueError, FileNotFoundError) as exc:
            self._fail(str(exc))
            return
        if options["json"]:
            self.stdout.write(json.dumps(report, sort_keys=False))
        else:
            self.stdout.write("\n".join(summary_lines(report)))

    def _report(self, options: dict[str, Any]) -> dict[str, Any]:
        overrides: dict[str, Any] = {}
        if options["response_pct"] is not None:
            overrides["response_pct"] = options["response_pct"]
        if options["response_points"] is not None:
            overrides["response_points"] = _points(options["response_points"])
        if options["remission_cutpoint"] is not None:
            overrides["remission_cutpoint"] = options["remission_cutpoint"]
        if options["sources"]:
            if options["clinic"]:
                raise ValueError("--clinic and --from do not go together (an export names its clinics).")
            return from_exports([Path(s) for s in options["sources"]], clinic_definitions(None, **overrides))
        clinics = list(Clinic.objects.order_by("pk"))
        if options["clinic"]:
            clinics = [c for c in clinics if c.slug == options["clinic"]]
            if not clinics:
                raise ValueError(f"no clinic with slug {options['clinic']!r}.")
        defs = clinic_definitions(clinics[0] if len(clinics) == 1 else None, **overrides)
        return from_database(clinics, defs)
