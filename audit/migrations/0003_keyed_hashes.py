"""Key every new audit row hash and every chain head with an HMAC kept outside the database (ADR 0019).

Rows sealed before this migration keep their unkeyed hashes (versions 1 and 2). Each existing head
records where its keyed rows start (`keyed_from`) and is attested with the HMAC key now, so the
unkeyed prefix cannot later be extended or rewritten without the key.
"""

from django.db import migrations, models


def attest_existing_heads(apps, schema_editor):
    from audit.chain import head_mac
    from audit.keys import key_ring

    AuditChain = apps.get_model("audit", "AuditChain")
    heads = list(AuditChain.objects.all())
    if not heads:
        return
    key_id = key_ring().current
    for head in heads:
        head.keyed_from = head.seq + 1
        head.head_key_id = key_id
        head.head_mac = head_mac(head, key_id)
        head.save(update_fields=["keyed_from", "head_key_id", "head_mac"])


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0002_per_clinic_chains"),
    ]

    operations = [
        migrations.AddField(model_name="auditevent", name="key_id", field=models.CharField(blank=True, max_length=16)),
        migrations.AlterField(model_name="auditevent", name="hash_version",
                              field=models.PositiveSmallIntegerField(default=3)),
        migrations.AddField(model_name="auditchain", name="keyed_from", field=models.BigIntegerField(default=1)),
        migrations.AddField(model_name="auditchain", name="head_mac", field=models.CharField(blank=True, max_length=64)),
        migrations.AddField(model_name="auditchain", name="head_key_id",
                            field=models.CharField(blank=True, max_length=16)),
        migrations.RunPython(attest_existing_heads, migrations.RunPython.noop),
    ]
