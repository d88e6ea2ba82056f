# Chair moves from courses to scheduling (ADR 0008): the rows stay, the table is renamed.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0001_initial'),
        ('courses', '0001_initial'),
        # The sessions' foreign key to the chair table must exist before the table is renamed under it.
        ('infusions', '0002_chairside'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Chair',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=40)),
                        ('location_code', models.CharField(blank=True, help_text='PV1-3 point of care sent by the bedside monitor', max_length=40)),
                        ('active', models.BooleanField(default=True)),
                        ('clinic', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='chairs', to='accounts.clinic')),
                    ],
                    options={
                        'ordering': ['name'],
                        'db_table': 'courses_chair',
                        'constraints': [models.UniqueConstraint(fields=('clinic', 'name'), name='chair_name_unique_per_clinic')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name='chair', table=None),
    ]
