"""Rows chained before per-clinic chains existed stay verifiable after the migration."""

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

from audit.chain import GENESIS, hashed_fields, row_digest

pytestmark = pytest.mark.django_db(transaction=True)
BEFORE, AFTER = [("audit", "0001_initial")], [("audit", "0003_keyed_hashes")]


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


def test_the_old_global_chain_survives_the_migration_and_anchors_the_clinic_chains(world, capsys):
    from audit import services as audit

    with connection.cursor() as cur:
        cur.execute("DELETE FROM audit_auditevent")
        cur.execute("DELETE FROM audit_auditchain")
    old = migrate(BEFORE)
    Event, Head = old.get_model("audit", "AuditEvent"), old.get_model("audit", "AuditHead")
    prev = GENESIS
    for seq in range(1, 6):
        row = Event(seq=seq, at=world.a.created_at, actor_label="before", clinic_id=(world.a if seq % 2 else world.b).pk,
                    action="patient_view", detail={"n": seq}, prev_hash=prev, patient_id=None, object_type="", object_id="", client_addr="")
        row.actor_id = None
        row.row_hash = prev = row_digest(prev, hashed_fields(row))
        row.save()
    Head.objects.update_or_create(id=1, defaults={"seq": 5, "last_hash": prev})
    migrate(AFTER)

    with transaction.atomic():
        audit.record(action="patient_update", by="after", clinic=world.a)
    call_command("audit", "verify")
    assert "intact: 6 rows verified in 2 chain(s)" in capsys.readouterr().out
    with connection.cursor() as cur:
        cur.execute("DELETE FROM audit_auditevent WHERE chain = -1 AND seq = 5")
    with pytest.raises(SystemExit):
        call_command("audit", "verify")
    assert "chain -1 row 5: the chain should end at row 5 but ends at 4" in capsys.readouterr().err
