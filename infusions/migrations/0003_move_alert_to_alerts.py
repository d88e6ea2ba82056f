# The Alert model now lives in the alerts app (alerts 0001 took over its table, infusions_alert);
# drop it from this app's state only, so the table and its rows stay.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('infusions', '0002_chairside'),
        ('alerts', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='Alert')],
            database_operations=[],
        ),
    ]
