"""The audit trail is append-only, chained per clinic, sealed in batches, and written in the transaction it records."""

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from audit import services as audit
from audit.chain import GENESIS, LEGACY_CHAIN, SYSTEM_CHAIN
from audit.models import AuditChain, AuditEvent
from ketacare.testing import make_patient

pytestmark = pytest.mark.django_db


def sql(statement, *params):
    with connection.cursor() as cur:
        cur.execute(statement, list(params))


def verify_fails(capsys):
    with pytest.raises(SystemExit) as exc:
        call_command("audit", "verify")
    assert exc.value.code == 1
    return capsys.readouterr().err


def test_each_clinic_has_its_own_chain_and_every_row_links_to_the_one_before(world):
    make_patient(world)
    make_patient(world, clinic=world.b, mrn="B-1")
    audit.seal_all()
    for clinic in (world.a, world.b):
        events = list(AuditEvent.objects.filter(chain=clinic.pk).order_by("seq"))
        assert len(events) > 3 and {e.clinic_id for e in events} == {clinic.pk}
        assert events[0].seq == 1 and events[0].prev_hash == GENESIS
        for before, after in zip(events, events[1:], strict=False):
            assert after.prev_hash == before.row_hash and after.seq == before.seq + 1
        head = AuditChain.objects.get(chain=clinic.pk)
        assert (head.seq, head.last_hash) == (events[-1].seq, events[-1].row_hash)


def test_an_event_of_no_clinic_goes_in_the_system_chain(world):
    with transaction.atomic():
        event = audit.record(action="sign_in_failed", by="someone")
    audit.seal_all()
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.chain == SYSTEM_CHAIN and event.seq is not None


def test_record_inserts_an_unsealed_row_and_takes_no_chain_head(world, django_assert_num_queries):
    with transaction.atomic(), django_assert_num_queries(1):
        event = audit.record(action="patient_view", by=world.nurse, clinic=world.a, patient=7)
    assert event.seq is None and event.row_hash == ""


def test_verify_passes_on_an_untouched_chain_and_seals_what_waits_first(world, capsys):
    make_patient(world)
    with transaction.atomic():
        audit.record(action="patient_view", by=world.nurse, clinic=world.a)
    assert AuditEvent.objects.filter(seq__isnull=True).exists()
    call_command("audit", "verify")
    assert "intact" in capsys.readouterr().out
    assert not AuditEvent.objects.filter(seq__isnull=True).exists()


def test_verify_finds_an_altered_row(world, capsys):
    make_patient(world)
    audit.seal_all()
    victim = AuditEvent.objects.get(action="patient_create")
    sql("UPDATE audit_auditevent SET action = %s WHERE id = %s", "patient_view", victim.pk)
    assert f"chain {world.a.pk} row {victim.seq}: was altered" in verify_fails(capsys)


def test_verify_finds_a_removed_row(world, capsys):
    make_patient(world)
    audit.seal_all()
    victim = AuditEvent.objects.filter(chain=world.a.pk).order_by("seq")[2]
    sql("DELETE FROM audit_auditevent WHERE id = %s", victim.pk)
    assert "missing" in verify_fails(capsys)


def test_verify_finds_a_removed_last_row(world, capsys):
    make_patient(world)
    audit.seal_all()
    last = AuditEvent.objects.filter(chain=world.a.pk).order_by("-seq").first()
    sql("DELETE FROM audit_auditevent WHERE id = %s", last.pk)
    assert f"should end at row {last.seq}" in verify_fails(capsys)


def test_verify_finds_two_rows_swapped(world, capsys):
    make_patient(world)
    audit.seal_all()
    first, second = AuditEvent.objects.filter(chain=world.a.pk).order_by("seq")[1:3]
    sql("UPDATE audit_auditevent SET seq = -1 WHERE id = %s", first.pk)
    sql("UPDATE audit_auditevent SET seq = %s WHERE id = %s", first.seq, second.pk)
    sql("UPDATE audit_auditevent SET seq = %s WHERE id = %s", second.seq, first.pk)
    assert "does not link to the row before it" in verify_fails(capsys)


def test_verify_finds_a_row_moved_to_another_clinics_chain(world, capsys):
    make_patient(world)
    audit.seal_all()
    victim = AuditEvent.objects.filter(chain=world.a.pk).order_by("seq")[1]
    sql("UPDATE audit_auditevent SET chain = %s, seq = 999 WHERE id = %s", world.b.pk, victim.pk)
    err = verify_fails(capsys)
    assert "missing" in err and f"chain {world.b.pk}" in err


def test_verify_finds_a_clinic_chain_emptied_but_for_its_head(world, capsys):
    make_patient(world, clinic=world.b, mrn="B-1")
    audit.seal_all()
    sql("DELETE FROM audit_auditevent WHERE chain = %s", world.b.pk)
    assert f"audit chain {world.b.pk} row" in verify_fails(capsys)


def test_application_cannot_update_or_delete_audit_rows(world):
    with transaction.atomic():
        audit.record(action="x", by="test", clinic=world.a)
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


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("in_transaction", [False, True], ids=["after-commit", "in-transaction"])
def test_a_write_is_sealed_when_its_transaction_commits_and_a_read_waits_for_the_batch(world, monkeypatch, in_transaction):
    from audit import sealing

    monkeypatch.setattr(sealing, "seals_in_transaction", lambda: in_transaction)
    with transaction.atomic():
        write = audit.record(action="patient_update", by="test", clinic=world.a)
        also = audit.record(action="patient_update", by="test", clinic=world.a)
    assert AuditEvent.objects.get(pk=write.pk).seq is not None and AuditEvent.objects.get(pk=also.pk).seq is not None
    with transaction.atomic():
        read = audit.record(action="patient_view", by="test", clinic=world.a)
    assert AuditEvent.objects.get(pk=read.pk).seq is None
    with transaction.atomic():
        audit.record(action="patient_update", by="test", clinic=world.a)
    assert AuditEvent.objects.get(pk=read.pk).seq is not None  # sealed with the next write of its clinic


@pytest.mark.django_db(transaction=True)
def test_a_seal_that_fails_after_commit_keeps_the_change_and_is_sealed_later(world, monkeypatch):
    from audit import sealing

    def broken(chain, **kwargs):
        raise RuntimeError("sealer down")

    monkeypatch.setattr(sealing, "seals_in_transaction", lambda: False)  # the PostgreSQL path
    monkeypatch.setattr(sealing, "seal", broken)
    with transaction.atomic():
        event = audit.record(action="patient_update", by="test", clinic=world.a)
    assert AuditEvent.objects.get(pk=event.pk).seq is None
    monkeypatch.undo()
    call_command("audit", "seal")
    assert AuditEvent.objects.get(pk=event.pk).seq is not None


def test_rows_of_the_old_global_chain_stay_verifiable_and_anchor_the_new_chains(world, capsys):
    from audit.chain import hashed_fields, row_digest

    prev = GENESIS
    for seq in (1, 2, 3):
        event = AuditEvent(chain=LEGACY_CHAIN, hash_version=1, seq=seq, at=world.a.created_at, actor_label="old",
                           clinic_id=(world.a if seq % 2 else world.b).pk, action="patient_view", prev_hash=prev)
        event.row_hash = prev = row_digest(prev, hashed_fields(event))
        event.save()
    from audit.sealing import attest

    head = AuditChain(chain=LEGACY_CHAIN, seq=3, last_hash=prev, keyed_from=4)  # as migration 0003 leaves it
    attest(head)
    head.save()
    AuditChain.objects.all().exclude(chain=LEGACY_CHAIN).delete()
    sql("DELETE FROM audit_auditevent WHERE chain <> %s", LEGACY_CHAIN)
    with transaction.atomic():
        audit.record(action="patient_update", by="test", clinic=world.a)
    call_command("audit", "verify")
    assert "intact: 4 rows verified in 2 chain(s)" in capsys.readouterr().out
    assert AuditEvent.objects.get(chain=world.a.pk, seq=1).prev_hash == prev
    sql("UPDATE audit_auditevent SET actor_label = 'forged' WHERE chain = %s AND seq = 2", LEGACY_CHAIN)
    assert f"chain {LEGACY_CHAIN} row 2: was altered" in verify_fails(capsys)


@pytest.mark.django_db(transaction=True)
def test_the_background_sealer_seals_a_read_that_no_write_followed(world):
    import threading
    import time

    from audit.sealing import start_background_sealer

    with transaction.atomic():
        read = audit.record(action="patient_view", by="test", clinic=world.a)
    stop = threading.Event()
    thread = start_background_sealer(interval_s=0.05, stop=stop)
    try:
        for _ in range(200):
            if AuditEvent.objects.get(pk=read.pk).seq is not None:
                break
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert AuditEvent.objects.get(pk=read.pk).seq is not None
