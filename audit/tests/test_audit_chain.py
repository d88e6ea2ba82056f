"""The audit trail is append-only, chained, and written in the transaction it records."""

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from audit import services as audit
from audit.models import AuditEvent
from ketacare.testing import make_patient

pytestmark = pytest.mark.django_db


def test_every_record_links_to_the_one_before(world):
    make_patient(world)
    events = list(AuditEvent.objects.order_by("seq"))
    assert len(events) > 3
    for before, after in zip(events, events[1:], strict=False):
        assert after.prev_hash == before.row_hash
        assert after.seq == before.seq + 1


def test_verify_passes_on_an_untouched_chain(world, capsys):
    make_patient(world)
    call_command("audit", "verify")
    assert "intact" in capsys.readouterr().out


def test_verify_exits_non_zero_when_a_row_is_altered(world):
    make_patient(world)
    victim = AuditEvent.objects.filter(action="patient_create").get()
    with connection.cursor() as cur:
        cur.execute("UPDATE audit_auditevent SET action = %s WHERE id = %s", ["patient_view", victim.pk])
    with pytest.raises(SystemExit) as exc:
        call_command("audit", "verify")
    assert exc.value.code == 1


def test_verify_exits_non_zero_when_a_row_is_removed(world, capsys):
    make_patient(world)
    victim = AuditEvent.objects.order_by("seq")[2]
    with connection.cursor() as cur:
        cur.execute("DELETE FROM audit_auditevent WHERE id = %s", [victim.pk])
    with pytest.raises(SystemExit):
        call_command("audit", "verify")
    assert "missing" in capsys.readouterr().err


def test_application_cannot_update_or_delete_audit_rows(world):
    event = AuditEvent.objects.first()
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().update(action="x")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()


@pytest.mark.django_db(transaction=True)
def test_record_refuses_to_run_outside_a_transaction(world):
    with pytest.raises(RuntimeError):
        audit.record(action="x", by="test")


def test_a_failed_change_leaves_no_audit_row(world):
    before = AuditEvent.objects.count()
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        audit.record(action="x", by="test", clinic=world.a)
        1 / 0  # noqa: B018
    assert AuditEvent.objects.count() == before


def test_a_lost_race_for_the_head_is_retried_and_never_written_twice(world, monkeypatch):
    from audit.models import AuditHead

    stale = AuditHead.objects.get(id=1)  # what a writer read just before another one took the next place
    with transaction.atomic():
        other = audit.record(action="other_writer", by="test", clinic=world.a)
    real = AuditHead.objects.select_for_update
    reads = []

    class FirstReadIsStale:
        def get_or_create(self, **kwargs):
            reads.append(1)
            return (stale, False) if len(reads) == 1 else real().get_or_create(**kwargs)

    monkeypatch.setattr(AuditHead.objects, "select_for_update", lambda: FirstReadIsStale())
    with transaction.atomic():
        event = audit.record(action="mine", by="test", clinic=world.a)
    assert len(reads) == 2  # the first claim lost and was retried
    assert event.seq == other.seq + 1 and event.prev_hash == other.row_hash
    assert AuditEvent.objects.filter(seq=other.seq).count() == 1
    head = AuditHead.objects.get(id=1)
    assert (head.seq, head.last_hash) == (event.seq, event.row_hash)
    call_command("audit", "verify")


def test_a_head_that_cannot_be_claimed_saves_nothing_and_says_so(world):
    from django.db.models import F

    from audit.models import AuditHead

    AuditHead.objects.filter(id=1).update(seq=F("seq") - 1)  # the head now points at an existing row
    before = AuditEvent.objects.count()
    with pytest.raises(RuntimeError, match="busy"), transaction.atomic():
        audit.record(action="x", by="test", clinic=world.a)
    assert AuditEvent.objects.count() == before
