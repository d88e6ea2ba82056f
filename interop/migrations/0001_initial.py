"""Take Hl7Message over from infusions: state only, the table `infusions_hl7message` and its rows stay."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("accounts", "0001_initial"),
        ("infusions", "0007_hl7message_moves_to_interop"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Hl7Message",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("sending_application", models.CharField(max_length=180)),
                        ("sending_facility", models.CharField(max_length=180)),
                        ("control_id", models.CharField(max_length=199)),
                        ("received_at", models.DateTimeField()),
                        ("status", models.CharField(choices=[("filed", "Filed"), ("quarantined", "In quarantine"),
                                                             ("assigned", "Assigned by a nurse"), ("dismissed", "Dismissed")],
                                                    max_length=16)),
                        ("error", models.CharField(blank=True, max_length=300)),
                        ("patient_ref", models.CharField(blank=True, help_text="PID-3 as sent (quarantine review only)",
                                                         max_length=64)),
                        ("location", models.CharField(blank=True, help_text="PV1-3 as sent", max_length=120)),
                        ("reading_count", models.PositiveIntegerField(default=0)),
                        ("raw", models.TextField(blank=True)),
                        ("resolved_at", models.DateTimeField(blank=True, null=True)),
                        ("resolution_note", models.TextField(blank=True)),
                        ("clinic", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                                     to="accounts.clinic")),
                        ("resolved_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                                          related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("session", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                                      related_name="hl7_messages", to="infusions.infusionsession")),
                    ],
                    options={
                        "ordering": ["-received_at"],
                        "db_table": "infusions_hl7message",
                        "indexes": [models.Index(fields=["clinic", "status"], name="infusions_h_clinic__1a161e_idx")],
                        "constraints": [models.UniqueConstraint(
                            fields=("clinic", "sending_application", "sending_facility", "control_id"),
                            name="hl7_control_id_once_per_sender")],
                    },
                ),
            ],
        ),
    ]
