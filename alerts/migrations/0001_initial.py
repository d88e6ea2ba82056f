# Move the Alert model from infusions to alerts without touching its table: the state gains
# alerts.Alert on table infusions_alert here; infusions 0003 drops infusions.Alert from the state.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0001_initial'),
        ('infusions', '0002_chairside'),
        ('patients', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Alert',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('vital', 'Vital sign'), ('overdue', 'Reading overdue'), ('suicide_risk', 'Suicide risk'), ('adverse_event', 'Serious adverse event'), ('review', 'Prescriber review')], max_length=16)),
                        ('level', models.CharField(choices=[('warn', 'Warning'), ('do_not_start', 'Do not start'), ('pause', 'Pause'), ('stop', 'Stop'), ('critical', 'Critical')], max_length=16)),
                        ('rule', models.CharField(max_length=64)),
                        ('value', models.CharField(blank=True, max_length=32)),
                        ('threshold', models.CharField(blank=True, max_length=32)),
                        ('message', models.CharField(max_length=300)),
                        ('source_type', models.CharField(blank=True, max_length=64)),
                        ('source_id', models.CharField(blank=True, max_length=64)),
                        ('raised_at', models.DateTimeField()),
                        ('acknowledged_at', models.DateTimeField(blank=True, null=True)),
                        ('action_note', models.TextField(blank=True)),
                        ('escalated_at', models.DateTimeField(blank=True, null=True)),
                        ('acknowledged_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('clinic', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.clinic')),
                        ('patient', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='alerts', to='patients.patient')),
                        ('session', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='alerts', to='infusions.infusionsession')),
                    ],
                    options={
                        'db_table': 'infusions_alert',
                        'ordering': ['-raised_at'],
                        'indexes': [models.Index(fields=['clinic', 'acknowledged_at'], name='infusions_a_clinic__a4de08_idx')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
