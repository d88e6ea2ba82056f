"""`ketacare send-reminders`: send a questionnaire link for each due item; safe to run from cron repeatedly."""

import sys
from datetime import UTC, datetime
from typing import Any

from django.core.management.base import BaseCommand

from accounts.models import Clinic
from measures import services


class Command(BaseCommand):
    help = "Send patients a link for every due or overdue questionnaire not yet sent (one link per item, ever)."

    def handle(self, *args: Any, **options: Any) -> None:
        now = datetime.now(UTC)
        failed = 0
        for clinic in Clinic.objects.order_by("pk"):
            run = services.send_reminders(clinic=clinic, now=now)
            failed += run.failed
            for error in run.errors or []:
                self.stderr.write(f"{clinic.slug}: {error}")
            self.stdout.write(f"{clinic.slug}: {run.sent} sent, {run.already_sent} already sent, "
                              f"{run.no_contact} without email or phone, {run.failed} failed")
        if failed:
            sys.exit(1)
