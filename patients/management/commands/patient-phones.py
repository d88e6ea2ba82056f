"""`ketacare patient-phones`: list stored phone numbers that are not valid E.164, for front desk to correct.

Exit 0 when every number is E.164 (or blank), 1 when some are listed (one line each:
clinic, MRN, field, the number as stored). Reads only; fixing goes through the patient's page.
"""

from typing import Any

from django.core.management.base import BaseCommand

from patients.models import Patient
from toolkit.phones import to_e164


class Command(BaseCommand):
    help = "List patients' phone numbers that are not stored as valid E.164 (exit 1 when there are any)."

    def handle(self, *args: Any, **options: Any) -> None:
        found = 0
        rows = Patient.objects.select_related("clinic").order_by("clinic__slug", "mrn")
        for patient in rows.iterator():
            for field in ("phone", "escort_phone"):
                raw = getattr(patient, field)
                try:
                    ok = not raw or to_e164(raw) == raw
                except ValueError:
                    ok = False
                if not ok:
                    found += 1
                    self.stdout.write(f"{patient.clinic.slug}\t{patient.mrn}\t{field}\t{raw}")
        self.stderr.write(f"{found} phone number(s) to correct." if found else "Every phone number is E.164.")
        if found:
            raise SystemExit(1)
