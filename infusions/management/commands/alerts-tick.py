"""`ketacare alerts-tick`: raise an alert for every session whose blood-pressure reading is overdue.

Idempotent (one open overdue alert per session); run it from cron every minute, or with --every.
"""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from accounts.models import Clinic
from infusions import services


class Command(BaseCommand):
    help = "Raise 'BP reading overdue' alerts by each protocol's monitoring schedule (safe to repeat)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--clinic", help="Only this clinic (slug); default every clinic.")
        parser.add_argument("--every", type=int, default=0, help="Repeat every N seconds until stopped (0 = once).")

    def handle(self, *args: Any, **options: Any) -> None:
        clinic = Clinic.objects.get(slug=options["clinic"]) if options["clinic"] else None
        while True:
            raised = services.raise_overdue_alerts(clinic=clinic)
            self.stdout.write(f"{len(raised)} overdue alert(s) raised")
            if options["every"] <= 0:
                return
            time.sleep(options["every"])
