"""`ketacare export research --out DIR [--clinic SLUG] [--format csv|parquet]`: the de-identified export."""

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from accounts.models import Clinic
from outcomes.services import ExportError, export_research
from outcomes.tables import FORMATS


class Command(BaseCommand):
    help = "Write the Safe Harbor research export (courses, assessments, infusions) for the outcome engine."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        research = sub.add_parser("research", help="De-identified courses, assessments and infusions.")
        research.add_argument("--out", required=True, help="Directory to write the three files into.")
        research.add_argument("--clinic", help="Clinic slug (default: every clinic).")
        research.add_argument("--format", choices=FORMATS, default="csv")

    def handle(self, *args: Any, **options: Any) -> None:
        clinics = list(Clinic.objects.order_by("pk"))
        if options["clinic"]:
            clinics = [c for c in clinics if c.slug == options["clinic"]]
            if not clinics:
                self.stderr.write(f"ketacare export research: no clinic with slug {options['clinic']!r}.")
                sys.exit(2)
        try:
            rows = export_research(out_dir=Path(options["out"]), clinics=clinics, fmt=options["format"],
                                   by="ketacare export research")
        except (ExportError, OSError) as exc:
            self.stderr.write(f"ketacare export research: {exc}")
            sys.exit(2)
        self.stdout.write(f"Wrote {len(rows.courses)} courses, {len(rows.assessments)} assessments and "
                          f"{len(rows.infusions)} infusions to {options['out']} ({options['format']}).")
