"""The audit keys live outside the database: created on first use, rotated by id, checked in production (ADR 0019)."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from audit import keys
from audit import services as audit
from audit.chain import hashed_fields, row_digest
from audit.checks import audit_keys_outside_the_data_directory
from audit.models import AuditChain, AuditEvent
from audit.sealing import attest

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def audit_keys(tmp_path, settings):
    settings.KETACARE_AUDIT_KEYS = ""
    settings.KETACARE_AUDIT_KEY_FILE = str(tmp_path / "keys" / "audit-hmac.keys")
    settings.KETACARE_AUDIT_SIGNING_KEY_FILE = str(tmp_path / "keys" / "audit-checkpoint.pem")
    settings.KETACARE_AUDIT_CHECKPOINT_PUBLIC_KEY_FILE = ""
    return tmp_path / "keys"


def write(world, n=1):
    for i in range(n):
        with transaction.atomic():
            audit.record(action="patient_update", by="nurse", clinic=world.a, detail={"i": i})
    audit.seal_all()


def test_the_key_file_is_created_on_first_use_owner_only_and_rows_name_their_key(audit_keys, world):
    write(world)
    path = audit_keys / "audit-hmac.keys"
    assert path.exists() and path.stat().st_mode & 0o077 == 0
    newest = AuditEvent.objects.filter(chain=world.a.pk).order_by("-seq").first()
    assert (newest.hash_version, newest.key_id) == (3, "k1") and len(newest.row_hash) == 64


def test_rotating_the_key_keeps_old_rows_verifiable_and_keys_new_rows_with_the_new_id(world, capsys):
    write(world)
    call_command("audit", "rotate-key")
    assert "new current HMAC key k2" in capsys.readouterr().out
    write(world)
    ids = list(AuditEvent.objects.filter(chain=world.a.pk).order_by("seq").values_list("key_id", flat=True))
    assert ids[0] == "k1" and ids[-1] == "k2"
    assert AuditChain.objects.get(chain=world.a.pk).head_key_id == "k2"
    call_command("audit", "verify")
    assert "audit chain intact" in capsys.readouterr().out


def test_a_row_whose_key_left_the_ring_no_longer_verifies(world, settings, capsys):
    write(world)
    settings.KETACARE_AUDIT_KEYS = "k9:" + "A" * 43  # another key ring: k1 is unknown to it
    with pytest.raises(SystemExit):
        call_command("audit", "verify")
    assert "was altered after it was written" in capsys.readouterr().err


def test_keys_from_the_environment_setting_take_precedence_and_refuse_a_short_secret(world, settings):
    settings.KETACARE_AUDIT_KEYS = "old:" + "B" * 43 + ",new:" + "C" * 43
    assert keys.key_ring().current == "new"
    settings.KETACARE_AUDIT_KEYS = "short:QUJD"
    with pytest.raises(keys.AuditKeyError, match="at least 32 bytes"):
        keys.key_ring()


def test_rows_hashed_before_keys_still_verify_but_no_unkeyed_row_may_follow_them(world, capsys):
    """Version-2 rows up to the head's keyed start (migration 0003) verify by SHA-256; a later one is refused."""
    sql = connection.cursor()
    sql.execute("DELETE FROM audit_auditevent")
    sql.execute("DELETE FROM audit_auditchain")
    prev = "0" * 64
    for seq in (1, 2, 3):
        event = AuditEvent(chain=world.a.pk, hash_version=2, seq=seq, at=world.a.created_at, actor_label="old",
                           clinic_id=world.a.pk, action="patient_view", prev_hash=prev)
        event.row_hash = prev = row_digest(prev, {**hashed_fields(event), "chain": event.chain, "v": 2})
        event.save()
    head = AuditChain(chain=world.a.pk, seq=3, last_hash=prev, keyed_from=4)
    attest(head)
    head.save()
    AuditEvent(chain=world.b.pk, hash_version=3, at=world.b.created_at, actor_label="b", clinic_id=world.b.pk,
               action="clinic_create").save()
    write(world)
    call_command("audit", "verify")
    assert "intact: 5 rows verified in 2 chain(s)" in capsys.readouterr().out
    assert AuditEvent.objects.get(chain=world.a.pk, seq=4).hash_version == 3
    event = AuditEvent.objects.get(chain=world.a.pk, seq=4)
    event.hash_version, event.key_id = 2, ""
    fake = row_digest(event.prev_hash, {**hashed_fields(event), "chain": event.chain, "v": 2})
    sql.execute("UPDATE audit_auditevent SET hash_version = 2, key_id = '', row_hash = %s WHERE id = %s", [fake, event.pk])
    sql.execute("UPDATE audit_auditchain SET last_hash = %s WHERE chain = %s", [fake, world.a.pk])
    with pytest.raises(SystemExit):
        call_command("audit", "verify")
    err = capsys.readouterr().err
    assert f"chain {world.a.pk} row 4: has hash version 2" in err and "HMAC does not verify" in err


def test_a_head_that_fails_its_hmac_is_not_extended_by_the_sealer(world, capsys):
    write(world)
    with connection.cursor() as cur:
        cur.execute("UPDATE audit_auditchain SET seq = seq - 1 WHERE chain = %s", [world.a.pk])
    with transaction.atomic():
        event = audit.record(action="patient_update", by="nurse", clinic=world.a)
    audit.seal_all()
    assert AuditEvent.objects.get(pk=event.pk).seq is None  # still waiting: the rewrite is not laundered
    with pytest.raises(SystemExit):
        call_command("audit", "verify")
    assert "could not be sealed behind this head" in capsys.readouterr().err


def test_checkpoint_prints_a_signed_document_of_every_chain(world, capsys):
    write(world, 2)
    call_command("audit", "checkpoint")
    doc = json.loads(capsys.readouterr().out)
    head = AuditChain.objects.get(chain=world.a.pk)
    assert {"clinic": world.a.pk, "seq": head.seq, "head_hash": head.last_hash} in doc["chains"]
    assert doc["format"] == "ketacare-audit-checkpoint/1" and doc["signature"] and doc["at"]


def test_checkpoint_refuses_to_sign_a_broken_chain(world, capsys):
    write(world)
    with connection.cursor() as cur:
        cur.execute("UPDATE audit_auditevent SET action = 'x' WHERE chain = %s AND seq = 1", [world.a.pk])
    with pytest.raises(SystemExit):
        call_command("audit", "checkpoint")
    assert "signature" not in capsys.readouterr().out


def test_an_edited_checkpoint_or_one_signed_by_another_key_is_refused(world, tmp_path, capsys):
    write(world)
    call_command("audit", "checkpoint")
    doc = json.loads(capsys.readouterr().out)
    edited = dict(doc, chains=[dict(c, seq=c["seq"] - 1) for c in doc["chains"]])
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(edited))
    with pytest.raises(CommandError, match="signature does not verify"):
        call_command("audit", "verify", "--checkpoint", str(path))
    other = tmp_path / "other" / "key.pem"
    keys.create_signing_key(other)
    good = tmp_path / "good.json"
    good.write_text(json.dumps(doc))
    with pytest.raises(CommandError, match="signature does not verify"):
        call_command("audit", "verify", "--checkpoint", str(good), "--public-key", str(other.with_suffix(".pub.pem")))
    call_command("audit", "verify", "--checkpoint", str(good))
    assert "and 1 checkpoint(s)" in capsys.readouterr().out


def test_create_keys_makes_both_keys_once_and_warns_inside_the_data_directory(audit_keys, settings, capsys):
    settings.VAR_DIR = str(audit_keys.parent)
    call_command("audit", "create-keys")
    out, err = capsys.readouterr()
    assert out.count("(created)") == 2 and (audit_keys / "audit-checkpoint.pub.pem").exists()
    assert "inside KETACARE_VAR_DIR" in err
    call_command("audit", "create-keys")
    assert capsys.readouterr().out.count("(kept)") == 2


def test_production_warns_when_a_key_lives_in_the_data_directory(audit_keys, settings):
    settings.PRODUCTION = True
    settings.VAR_DIR = str(audit_keys.parent)
    assert {w.id for w in audit_keys_outside_the_data_directory()} == {"audit.W001", "audit.W002"}
    settings.VAR_DIR = str(audit_keys.parent / "elsewhere")
    assert audit_keys_outside_the_data_directory() == []
    settings.PRODUCTION = False
    settings.VAR_DIR = str(audit_keys.parent)
    assert audit_keys_outside_the_data_directory() == []


def test_a_checkpoint_of_one_clinic_names_only_its_chain(world, capsys):
    write(world)
    call_command("audit", "checkpoint", "--clinic", str(world.b.pk))
    assert [c["clinic"] for c in json.loads(capsys.readouterr().out)["chains"]] == [world.b.pk]
