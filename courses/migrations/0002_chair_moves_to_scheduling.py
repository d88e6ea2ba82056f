# Chair now lives in scheduling (scheduling 0001 keeps the rows); drop it from the courses state only.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('courses', '0001_initial'),
        ('infusions', '0003_chair_moves_to_scheduling'),
        ('scheduling', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='Chair')],
            database_operations=[],
        ),
    ]
