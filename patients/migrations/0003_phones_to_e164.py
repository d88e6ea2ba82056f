"""Store existing patients' phone numbers as E.164 (ADR 0017); report the ones that cannot be read.

A number that parses in the clinic region's plan (KETACARE_PHONE_REGION) is
rewritten to E.164. One that does not is left exactly as typed (nothing is
guessed) and named on the console; `ketacare patient-phones` lists them
again at any time so front desk can correct them on the patient's page.
"""

import sys

from django.db import migrations


def to_e164(apps, schema_editor):
    from toolkit.phones import to_e164 as convert

    Patient = apps.get_model("patients", "Patient")
    changed, unread = 0, []
    for patient in Patient.objects.all().only("pk", "mrn", "clinic_id", "phone", "escort_phone").iterator():
        updates = {}
        for field in ("phone", "escort_phone"):
            raw = getattr(patient, field)
            if not raw:
                continue
            try:
                e164 = convert(raw)
            except ValueError:
                unread.append(f"clinic {patient.clinic_id} patient {patient.mrn} {field}: {raw!r}")
                continue
            if e164 != raw:
                updates[field] = e164
        if updates:
            Patient.objects.filter(pk=patient.pk).update(**updates)
            changed += len(updates)
    if changed or unread:
        sys.stdout.write(f"\n  Phone numbers: {changed} rewritten as E.164, {len(unread)} could not be read and were left as typed"
                         f"{':' if unread else '.'}\n")
        for line in unread:
            sys.stdout.write(f"    {line}\n")
        if unread:
            sys.stdout.write("  Correct them on each patient's page; 'ketacare patient-phones' lists them again.\n")


class Migration(migrations.Migration):

    dependencies = [
        ("patients", "0002_db_constraints"),
    ]

    operations = [
        migrations.RunPython(to_e164, migrations.RunPython.noop, elidable=True),
    ]
