# The session's chair is now scheduling.Chair; same rows, same column, so only the state changes.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('infusions', '0002_chairside'),
        ('scheduling', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='infusionsession',
                    name='chair',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='sessions', to='scheduling.chair'),
                ),
            ],
            database_operations=[],
        ),
    ]
