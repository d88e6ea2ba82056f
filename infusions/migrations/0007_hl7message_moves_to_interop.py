"""Hand Hl7Message to the interop app (its table stays); a vital keeps the message's id, not a foreign key.

The foreign key would make infusions depend on interop; the column `hl7_message_id` and its
values stay as they were. interop's 0001 takes the model into its state over the same table.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("infusions", "0006_one_live_booking_per_chair_and_start"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterField(
                    model_name="vitalsign",
                    name="hl7_message",
                    field=models.BigIntegerField(blank=True, null=True, db_index=True, db_column="hl7_message_id"),
                ),
            ],
            state_operations=[
                migrations.RemoveField(model_name="vitalsign", name="hl7_message"),
                migrations.AddField(
                    model_name="vitalsign",
                    name="hl7_message_id",
                    field=models.BigIntegerField(blank=True, null=True, db_index=True),
                ),
                migrations.DeleteModel(name="Hl7Message"),
            ],
        ),
    ]
