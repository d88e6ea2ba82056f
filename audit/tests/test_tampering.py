"""Every way of rewriting a clinic's audit chain is detected, by the key alone or by a checkpoint alone (issue 14).

The 24 cases are 4 operations (alter, insert, delete, reorder) x 3 places (the oldest row, a middle
row, the newest row) x 2 (raw, or forged: every later hash recomputed and the head moved to match);
2 more truncate the chain (its last rows with the head lowered; every row and the head). Each runs
against two attackers who can write the database:
- `keyless`: has no HMAC key, so it forges with the public unkeyed rule (hash version 2) and cannot
  re-attest the head; `ketacare audit verify` alone must catch it;
- `key-stolen`: holds the HMAC key and forges perfectly keyed rows and head; a signed checkpoint taken
  before the attack, kept away from the database, must catch it (`verify --checkpoint FILE`).
"""

import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from audit import services as audit
from audit.chain import DIGESTS, head_mac
from audit.checkpoint import make_checkpoint
from audit.keys import key_ring
from audit.models import AuditChain, AuditEvent

pytestmark = pytest.mark.django_db
OFFSET = 1_000_000


@pytest.fixture(autouse=True)
def audit_keys(tmp_path, settings):
    """Keys of this test only, outside the database (created on first use, as in development)."""
    settings.KETACARE_AUDIT_KEYS = ""
    settings.KETACARE_AUDIT_KEY_FILE = str(tmp_path / "keys" / "audit-hmac.keys")
    settings.KETACARE_AUDIT_SIGNING_KEY_FILE = str(tmp_path / "keys" / "audit-checkpoint.pem")
    settings.KETACARE_AUDIT_CHECKPOINT_PUBLIC_KEY_FILE = ""
    return tmp_path


@pytest.fixture
def chain(world, tmp_path):
    """Clinic A's chain with a few more events, sealed, and a checkpoint of it kept in a file."""
    for n in range(6):
        with transaction.atomic():
            audit.record(action="patient_update", by="nurse", clinic=world.a, detail={"n": n})
    audit.seal_all()
    path = tmp_path / "checkpoint.json"
    path.write_text(json.dumps(make_checkpoint()))
    return world.a.pk, path


def sql(statement, *params):
    with connection.cursor() as cur:
        cur.execute(statement, list(params))


def rows(chain_id):
    return list(AuditEvent.objects.filter(chain=chain_id).order_by("seq"))


def place(chain_id, where):
    last = AuditChain.objects.get(chain=chain_id).seq
    return {"oldest": 1, "middle": last // 2, "newest": last}[where]


# --- the attacker's tools: raw SQL, and the public hashing rules -------------------------------

def forge_from(chain_id, start, attacker):
    """Recompute every hash from place `start` on and move the head to the last row, as `attacker` can."""
    events = rows(chain_id)
    prev = next((e.row_hash for e in events if e.seq == start - 1), None)
    head = AuditChain.objects.get(chain=chain_id)
    prev = prev if prev is not None else head.genesis_hash
    for event in (e for e in events if e.seq >= start):
        event.prev_hash = prev
        if attacker == "keyless":
            event.hash_version, event.key_id = 2, ""
        event.row_hash = prev = DIGESTS[event.hash_version](event)
        sql("UPDATE audit_auditevent SET prev_hash = %s, row_hash = %s, hash_version = %s, key_id = %s WHERE id = %s",
            event.prev_hash, event.row_hash, event.hash_version, event.key_id, event.pk)
    move_head(chain_id, max((e.seq for e in events), default=0), prev, attacker)


def move_head(chain_id, seq, last_hash, attacker):
    head = AuditChain.objects.get(chain=chain_id)
    head.seq, head.last_hash = seq, last_hash
    mac = head_mac(head, key_ring().current) if attacker == "key-stolen" else head.head_mac
    sql("UPDATE audit_auditchain SET seq = %s, last_hash = %s, head_mac = %s WHERE chain = %s", seq, last_hash, mac,
        chain_id)


def shift(chain_id, from_seq, by):
    sql("UPDATE audit_auditevent SET seq = seq + %s WHERE chain = %s AND seq >= %s", OFFSET, chain_id, from_seq)
    sql("UPDATE audit_auditevent SET seq = seq - %s WHERE chain = %s AND seq >= %s", OFFSET - by, chain_id, OFFSET)


def alter(chain_id, where, forged, attacker):
    seq = place(chain_id, where)
    sql("UPDATE audit_auditevent SET action = 'patient_view', detail = %s WHERE chain = %s AND seq = %s",
        '{"forged": true}', chain_id, seq)
    if forged:
        forge_from(chain_id, seq, attacker)


def insert(chain_id, where, forged, attacker):
    """Insert a row at the place of the oldest or a middle row, or append one, backdated, after the newest."""
    last = place(chain_id, "newest")
    seq = last + 1 if where == "newest" else place(chain_id, where)
    neighbour = AuditEvent.objects.get(chain=chain_id, seq=min(seq, last))
    at = neighbour.at - timedelta(days=2) if where == "newest" else neighbour.at
    shift(chain_id, seq, 1)
    AuditEvent(chain=chain_id, seq=seq, at=at, actor_label="nurse", clinic_id=chain_id, action="patient_update",
               detail={"slipped": "in"}, prev_hash="", row_hash="", hash_version=3, key_id=key_ring().current).save()
    if forged:
        forge_from(chain_id, seq, attacker)


def delete(chain_id, where, forged, attacker):
    seq = place(chain_id, where)
    sql("DELETE FROM audit_auditevent WHERE chain = %s AND seq = %s", chain_id, seq)
    if forged:
        shift(chain_id, seq + 1, -1)
        forge_from(chain_id, seq, attacker)


def reorder(chain_id, where, forged, attacker):
    first = min(place(chain_id, where), place(chain_id, "newest") - 1)
    sql("UPDATE audit_auditevent SET seq = -1 WHERE chain = %s AND seq = %s", chain_id, first)
    sql("UPDATE audit_auditevent SET seq = %s WHERE chain = %s AND seq = %s", first, chain_id, first + 1)
    sql("UPDATE audit_auditevent SET seq = %s WHERE chain = %s AND seq = -1", first + 1, chain_id)
    if forged:
        forge_from(chain_id, first, attacker)


def truncate_tail(chain_id, attacker):
    """Delete the last 3 rows and lower the head to the row before them."""
    last = place(chain_id, "newest")
    sql("DELETE FROM audit_auditevent WHERE chain = %s AND seq > %s", chain_id, last - 3)
    keep = AuditEvent.objects.get(chain=chain_id, seq=last - 3)
    move_head(chain_id, last - 3, keep.row_hash, attacker)


def truncate_all(chain_id, attacker):
    """Delete every row of the chain and its head."""
    sql("DELETE FROM audit_auditevent WHERE chain = %s", chain_id)
    sql("DELETE FROM audit_auditchain WHERE chain = %s", chain_id)


OPERATIONS = {"alter": alter, "insert": insert, "delete": delete, "reorder": reorder}
CASES = [(f"{op}-{where}-{'forged' if forged else 'raw'}", op, where, forged)
         for op in OPERATIONS for where in ("oldest", "middle", "newest") for forged in (False, True)]
ATTACKERS = ["keyless", "key-stolen"]


def test_the_cases_are_the_24_of_the_issue():
    assert len(CASES) == 24 and len({name for name, *_ in CASES}) == 24


def detected(chain_id, checkpoint, attacker, capsys):
    """Run verify as the defender of this attacker: the key alone, or a checkpoint too; True when it exits 1."""
    capsys.readouterr()
    args = ["audit", "verify"] + (["--checkpoint", str(checkpoint)] if attacker == "key-stolen" else [])
    with pytest.raises(SystemExit) as exc:
        call_command(*args)
    err = capsys.readouterr().err
    return exc.value.code == 1 and f"audit chain {chain_id} row" in err


@pytest.mark.parametrize("attacker", ATTACKERS)
def test_an_untouched_chain_verifies_with_the_key_and_with_its_checkpoint(chain, attacker, capsys):
    chain_id, checkpoint = chain
    call_command("audit", "verify", *(["--checkpoint", str(checkpoint)] if attacker == "key-stolen" else []))
    out = capsys.readouterr().out
    assert "audit chain intact" in out and ("and 1 checkpoint(s)" in out) == (attacker == "key-stolen")


@pytest.mark.parametrize("attacker", ATTACKERS)
@pytest.mark.parametrize(("name", "op", "where", "forged"), CASES, ids=[c[0] for c in CASES])
def test_each_tampering_case_is_detected(chain, attacker, name, op, where, forged, capsys):
    chain_id, checkpoint = chain
    OPERATIONS[op](chain_id, where, forged, attacker)
    assert detected(chain_id, checkpoint, attacker, capsys), name


@pytest.mark.parametrize("attacker", ATTACKERS)
@pytest.mark.parametrize("truncate", [truncate_tail, truncate_all], ids=["last-rows-and-head-lowered", "whole-chain-and-head"])
def test_truncating_a_chain_is_detected(chain, attacker, truncate, capsys):
    chain_id, checkpoint = chain
    truncate(chain_id, attacker)
    assert detected(chain_id, checkpoint, attacker, capsys)


def test_a_key_stolen_forgery_after_the_checkpoint_passes_verify_alone_which_is_why_checkpoints_leave(chain, capsys):
    """The limit of the key: with it, a rewrite is consistent; only the checkpoint kept elsewhere tells."""
    chain_id, checkpoint = chain
    alter(chain_id, "middle", True, "key-stolen")
    call_command("audit", "verify")
    assert "intact" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        call_command("audit", "verify", "--checkpoint", str(checkpoint))
    assert "no longer has the checkpointed hash" in capsys.readouterr().err
