"""`ketacare escalate-alerts`: email the on-call prescriber about suicide-risk alerts left unacknowledged.

Each alert is escalated once (Alert.escalated_at); its messages go through the outbox and are sent at once
(what cannot be sent stays pending for `ketacare send-alerts`). Safe to run from cron every minute.
"""

import sys
from datetime import UTC, datetime
from typing import Any

from django.core.management.base import BaseCommand

from accounts.models import Clinic
from alerts import services


class Command(BaseCommand):
    help = "Escalate unacknowledged suicide-risk alerts older than the clinic's limit by email (once each)."

    def handle(self, *args: Any, **options: Any) -> None:
        now = datetime.now(UTC)
        problems_total = 0
        for clinic in Clinic.objects.order_by("pk"):
            escalated, problems = services.escalate_alerts(clinic=clinic, now=now)
            problems_total += len(problems)
            for problem in problems:
                self.stderr.write(f"{clinic.slug}: {problem}")
            self.stdout.write(f"{clinic.slug}: {escalated} alert(s) escalated")
        if problems_total:
            sys.exit(1)
