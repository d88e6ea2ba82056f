"""Seal inserted audit events into their clinic's hash chain, in batches (ADR 0002).

A writer only inserts its event (`audit.services.record`): no lock, nothing shared with other
clinics. On PostgreSQL, after its transaction commits it asks for its chain to be sealed; the
sealer locks that chain's head row (the only row it locks, in its own short transaction), takes
the chain's unsealed events oldest id first, gives each the next place and the hash linking it
to the one before, and moves the head. A sealer waits only for another sealer of the same clinic, never for a writer.
On SQLite, which lets one writer at a time hold the database (IMMEDIATE transactions), the writer
seals its chain inside its own transaction instead: that takes no lock it did not already hold,
and spares a second write transaction that would queue behind every other writer.
Events nobody sealed after commit (reads, which seal lazily, or a seal that failed) are sealed by
the next seal of their chain, by `ketacare audit seal`, by the web server's background sealer,
or by `ketacare audit verify` before it checks anything.
"""

import logging
import threading
from datetime import UTC, datetime
from functools import partial

from django.db import IntegrityError, connection, transaction

from .chain import CURRENT_VERSION, GENESIS, LEGACY_CHAIN, digest_of, head_mac
from .keys import AuditKeyError, key_ring
from .models import AuditChain, AuditEvent

log = logging.getLogger("ketacare.audit")
SEAL_BATCH = 2000
EVENTS, HEADS = AuditEvent._meta.db_table, AuditChain._meta.db_table


def seal(chain: int, *, limit: int = SEAL_BATCH) -> int:
    """Seal up to `limit` unsealed events of one chain; return how many were sealed.

    A head whose HMAC does not verify (changed outside the sealer) is never extended: its events
    wait unsealed and `ketacare audit verify` reports the head, so a seal cannot launder a rewrite.
    """
    own_transaction = not transaction.get_connection().in_atomic_block
    with transaction.atomic(savepoint=False):
        if own_transaction:
            _no_wait_for_flush()
        head = _locked_head(chain)
        if not head_is_attested(head):
            log.error("audit: chain %s head fails its HMAC; not sealing (run `ketacare audit verify`)", chain)
            return 0
        events = list(AuditEvent.objects.filter(chain=chain, seq__isnull=True).order_by("id")[:limit])
        if not events:
            return 0
        key_id = key_ring().current
        seq, prev = head.seq, head.last_hash
        rows = []
        for event in events:
            seq += 1
            event.seq, event.prev_hash, event.hash_version, event.key_id = seq, prev, CURRENT_VERSION, key_id
            event.row_hash = prev = digest_of(event)
            rows.append((event.seq, event.prev_hash, event.row_hash, CURRENT_VERSION, key_id, event.pk))
        head.seq, head.last_hash = seq, prev
        mac = head_mac(head, key_id)
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {EVENTS} SET seq = %s, prev_hash = %s, row_hash = %s, hash_version = %s, "  # noqa: S608 - table names from the models
                               "key_id = %s WHERE id = %s AND seq IS NULL", rows)
            cursor.execute(f"UPDATE {HEADS} SET seq = %s, last_hash = %s, sealed_at = %s, head_mac = %s, "  # noqa: S608
                           "head_key_id = %s WHERE chain = %s", [seq, prev, datetime.now(UTC), mac, key_id, chain])
    return len(events)


def head_is_attested(head: AuditChain) -> bool:
    """True when the head carries the HMAC the sealer gave it (its key still in the ring)."""
    try:
        return bool(head.head_mac) and head.head_mac == head_mac(head, head.head_key_id)
    except AuditKeyError:
        return False


def attest(head: AuditChain) -> None:
    """Give a head its HMAC with the current key (the sealer's and the migration's job only)."""
    head.head_key_id = key_ring().current
    head.head_mac = head_mac(head, head.head_key_id)


def seal_all() -> int:
    """Seal every chain's waiting events; return how many were sealed."""
    total = 0
    for chain in pending_chains():
        while (done := seal(chain)) > 0:
            total += done
    return total


def _no_wait_for_flush() -> None:
    """On PostgreSQL, let a sealing transaction of its own commit without waiting for the WAL flush.

    Safe because a seal only derives data from rows already committed durably: a crash can lose
    only the last seals (whole transactions, in commit order), whose events are then sealed again.
    A seal inside a writer's transaction (SQLite) keeps that writer's durability.
    """
    conn = transaction.get_connection()
    if conn.vendor == "postgresql":
        with conn.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def pending_chains() -> list[int]:
    """The chains that have unsealed events (read through the partial index)."""
    return sorted(set(AuditEvent.objects.filter(seq__isnull=True).values_list("chain", flat=True)))


def genesis_hash() -> str:
    """What row 1 of a new chain links to: the old global chain's last hash, so it stays anchored."""
    legacy = AuditChain.objects.filter(chain=LEGACY_CHAIN).values_list("last_hash", flat=True).first()
    return legacy or GENESIS


def _locked_head(chain: int) -> AuditChain:
    """The chain's head, locked until the seal commits; created (and attested) on a chain's first seal."""
    heads = AuditChain.objects.filter(chain=chain)
    if connection.features.has_select_for_update:
        heads = heads.select_for_update()
    head = heads.first()
    if head is not None:
        return head
    try:
        with transaction.atomic():
            start = genesis_hash()
            head = AuditChain(chain=chain, last_hash=start, genesis_hash=start, keyed_from=1)
            attest(head)
            head.save(force_insert=True)
    except IntegrityError:  # another sealer created it first
        pass
    return heads.get()


def seal_for_writer(chain: int) -> None:
    """Seal a writer's chain: in its transaction where the database serialises writers, else after commit."""
    if seals_in_transaction():
        seal(chain)
    else:
        seal_after_commit(chain)


def seals_in_transaction() -> bool:
    return connection.vendor == "sqlite"


def seal_after_commit(chain: int) -> None:
    """Ask for `chain` to be sealed once the current transaction commits (once per transaction)."""
    conn = transaction.get_connection()
    if any(getattr(func, "audit_chain", None) == chain for _, func, _ in conn.run_on_commit):
        return
    callback = partial(_seal_quietly, chain)
    callback.audit_chain = chain  # type: ignore[attr-defined]
    transaction.on_commit(callback)


def _seal_quietly(chain: int) -> None:
    """Seal after commit; a failure leaves the events for the next seal, never fails the request."""
    try:
        seal(chain)
    except Exception:  # noqa: BLE001 - the events are committed; sealing is retried later
        log.warning("audit: sealing chain %s after commit failed; it is sealed later", chain, exc_info=True)


def start_background_sealer(interval_s: float = 5.0, stop: threading.Event | None = None) -> threading.Thread:
    """Seal waiting events every `interval_s` seconds in a daemon thread (each server worker runs one)."""
    stop = stop or threading.Event()

    def loop() -> None:
        from django.db import close_old_connections

        while not stop.wait(interval_s):
            try:
                seal_all()
            except Exception:  # noqa: BLE001 - try again at the next tick
                log.warning("audit: background seal failed", exc_info=True)
            finally:
                close_old_connections()
        connection.close()

    thread = threading.Thread(target=loop, name="audit-sealer", daemon=True)
    thread.start()
    return thread
