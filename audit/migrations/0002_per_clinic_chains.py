"""One hash chain per clinic, appended without a global lock (ADR 0002).

Rows written before this migration keep their hashes: they become chain -1 with hash version 1
and are verified by the old rule; the old head becomes that chain's head, and every new clinic
chain starts from its last hash.
"""

from django.db import migrations, models

GENESIS = "0" * 64


def keep_the_old_chain(apps, schema_editor):
    AuditHead = apps.get_model("audit", "AuditHead")
    AuditChain = apps.get_model("audit", "AuditChain")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    head = AuditHead.objects.filter(id=1).first()
    if head is None and not AuditEvent.objects.exists():
        return
    AuditChain.objects.create(chain=-1, seq=head.seq if head else 0, last_hash=head.last_hash if head else GENESIS,
                              genesis_hash=GENESIS)


def restore_the_old_head(apps, schema_editor):
    AuditHead = apps.get_model("audit", "AuditHead")
    AuditChain = apps.get_model("audit", "AuditChain")
    if apps.get_model("audit", "AuditEvent").objects.exclude(chain=-1).exists():
        raise RuntimeError("The clinic chains hold rows; they cannot be folded back into one global chain.")
    old = AuditChain.objects.filter(chain=-1).first()
    if old is not None:
        AuditHead.objects.create(id=1, seq=old.seq, last_hash=old.last_hash)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent", name="chain", field=models.BigIntegerField(default=-1), preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent", name="hash_version", field=models.PositiveSmallIntegerField(default=1),
        ),
        migrations.AlterField(
            model_name="auditevent", name="hash_version", field=models.PositiveSmallIntegerField(default=2),
        ),
        migrations.AlterField(
            model_name="auditevent", name="seq", field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="auditevent", name="prev_hash", field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AlterField(
            model_name="auditevent", name="row_hash", field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AlterModelOptions(name="auditevent", options={"ordering": ["-id"]}),
        migrations.CreateModel(
            name="AuditChain",
            fields=[
                ("chain", models.BigIntegerField(primary_key=True, serialize=False)),
                ("seq", models.BigIntegerField(default=0)),
                ("last_hash", models.CharField(default=GENESIS, max_length=64)),
                ("genesis_hash", models.CharField(default=GENESIS, max_length=64)),
                ("sealed_at", models.DateTimeField(blank=True, null=True)),
            ],
        ),
        migrations.RunPython(keep_the_old_chain, restore_the_old_head),
        migrations.DeleteModel(name="AuditHead"),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(condition=models.Q(("seq__isnull", True)), fields=["chain", "id"], name="audit_unsealed_idx"),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(fields=("chain", "seq"), name="audit_one_row_per_place"),
        ),
    ]
