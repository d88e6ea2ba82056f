"""`ketacare readmodels check|rebuild`: compare the stored read models with their inputs, or backfill them (ADR 0013)."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import Clinic
from toolkit.hooks import app_modules

APPS = ("measures", "inventory")
"""Apps with a `readmodel` module offering `rebuild(clinic)` and `check(clinic)`."""


class Command(BaseCommand):
    help = "Check the stored read models (due assessments, ledger totals, lot balances) against their inputs, or rebuild them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=("check", "rebuild"))
        parser.add_argument("--clinic", help="One clinic's slug (default: every clinic).")

    def handle(self, *args: object, **options: object) -> None:
        clinics = Clinic.objects.order_by("pk")
        if options["clinic"]:
            clinics = clinics.filter(slug=options["clinic"])
            if not clinics.exists():
                raise CommandError(f"No clinic with the slug {options['clinic']!r}.")
        problems = 0
        for clinic in clinics:
            for app, module in app_modules("readmodel", APPS):
                if options["action"] == "rebuild":
                    self.stdout.write(f"{clinic.slug} {app}: {module.rebuild(clinic)} rows written")
                    continue
                found = module.check(clinic)
                problems += len(found)
                for line in found:
                    self.stdout.write(f"{clinic.slug} {app}: {line}")
        if options["action"] == "check":
            if problems:
                raise CommandError(f"{problems} stored rows differ from their inputs; run `ketacare readmodels rebuild`.")
            self.stdout.write("The stored read models agree with their inputs.")
