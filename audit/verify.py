"""Check every audit chain: rows, links, places, keys, dates and heads (ADRs 0002, 0019).

Per chain: each row's hash by its own version's rule (version 3 keyed with an HMAC key kept outside
the database), its link to the row before, no gap in its places, unkeyed rows only before the
head's keyed start, no row dated well before the row it follows, and the head: attested by its own
HMAC and equal to the last row. Across chains: every clinic has its chain (a clinic's creation is
always audited), so a chain deleted with its head is still missed.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from django.conf import settings
from django.db.models import Model

from .chain import CURRENT_VERSION, GENESIS, LEGACY_CHAIN, chain_of, digest_of
from .keys import AuditKeyError
from .models import AuditChain, AuditEvent
from .sealing import genesis_hash, head_is_attested, seal_all


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    problem: str
    chain: int = 0


@dataclass(frozen=True)
class Checked:
    rows: int
    chains: int


@dataclass
class _Walk:
    """Where the walk along one chain has got to."""

    expected: int
    prev: str
    prev_at: datetime | None = None
    rows: int = 0


def verify_chain(batch: int = 2000, tally: list[Checked] | None = None) -> Iterator[ChainProblem]:
    """Seal what waits, then yield every altered, removed, inserted, reordered or misplaced row of every chain."""
    seal_all()
    heads = {head.chain: head for head in AuditChain.objects.all()}
    chains = sorted(set(heads) | set(AuditEvent.objects.values_list("chain", flat=True).distinct()))
    rows = 0
    for chain in chains:
        walk = _Walk(expected=1, prev=GENESIS)
        yield from _verify_one(chain, heads.get(chain), batch, walk)
        rows += walk.rows
    yield from _missing_chains(set(chains))
    if tally is not None:
        tally.append(Checked(rows=rows, chains=len(chains)))


def _verify_one(chain: int, head: AuditChain | None, batch: int, walk: _Walk) -> Iterator[ChainProblem]:
    legacy = chain == LEGACY_CHAIN
    if head is None:
        yield ChainProblem(0, "has rows but no chain head", chain)
    else:
        yield from _check_head(head, legacy)
        walk.prev = head.genesis_hash
    keyed_from = head.keyed_from if head is not None else 1
    for event in AuditEvent.objects.filter(chain=chain, seq__isnull=False).order_by("seq").iterator(chunk_size=batch):
        walk.rows += 1
        yield from _check_row(event, chain, walk, legacy, keyed_from)
        walk.expected, walk.prev, walk.prev_at = (event.seq or 0) + 1, event.row_hash, event.at
    waiting = AuditEvent.objects.filter(chain=chain, seq__isnull=True).count()
    if waiting:
        yield ChainProblem(walk.expected, f"{waiting} event(s) could not be sealed behind this head", chain)
    if head is not None and (head.seq != walk.expected - 1 or head.last_hash != walk.prev):
        yield ChainProblem(head.seq, f"the chain should end at row {head.seq} but ends at {walk.expected - 1}"
                           if head.seq != walk.expected - 1 else "the chain head does not match its last row", chain)


def _check_head(head: AuditChain, legacy: bool) -> Iterator[ChainProblem]:
    if not head_is_attested(head):
        yield ChainProblem(head.seq, "the chain head was changed outside the sealer (its HMAC does not verify)",
                           head.chain)
    if not legacy and head.genesis_hash not in {genesis_hash(), GENESIS}:
        yield ChainProblem(0, "does not start from the genesis hash", head.chain)


def _check_row(event: AuditEvent, chain: int, walk: _Walk, legacy: bool, keyed_from: int) -> Iterator[ChainProblem]:
    seq = event.seq if event.seq is not None else 0  # verify seals every waiting row before it checks
    if seq != walk.expected:
        yield ChainProblem(walk.expected, f"rows {walk.expected}..{seq - 1} are missing"
                           if seq > walk.expected else f"row {seq} is out of place", chain)
    if event.prev_hash != walk.prev:
        yield ChainProblem(seq, "does not link to the row before it", chain)
    if (event.hash_version == 1) != legacy or (not legacy and chain_of(event.clinic_id) != chain):
        yield ChainProblem(seq, "is in the wrong chain", chain)
    if (seq >= keyed_from) != (event.hash_version == CURRENT_VERSION):
        yield ChainProblem(seq, f"has hash version {event.hash_version}, which this place does not allow", chain)
    try:
        intact = digest_of(event) == event.row_hash
    except (ValueError, AuditKeyError):
        intact = False
    if not intact:
        yield ChainProblem(seq, "was altered after it was written", chain)
    skew = timedelta(seconds=settings.KETACARE_AUDIT_CLOCK_SKEW_S)
    if event.hash_version == CURRENT_VERSION and walk.prev_at is not None and event.at < walk.prev_at - skew:
        yield ChainProblem(seq, "is dated before the row it follows (backdated)", chain)


def _missing_chains(chains: set[int]) -> Iterator[ChainProblem]:
    """Every clinic's creation is audited in its chain, so a clinic without one lost it."""
    clinic_model = cast(type[Model], AuditEvent._meta.get_field("clinic").related_model)  # accounts.Clinic, not imported
    legacy_clinics = set(AuditEvent.objects.filter(chain=LEGACY_CHAIN).values_list("clinic_id", flat=True).distinct())
    for clinic_id in clinic_model._default_manager.order_by("pk").values_list("pk", flat=True):
        if chain_of(clinic_id) not in chains and clinic_id not in legacy_clinics:
            yield ChainProblem(0, "has no audit rows at all, yet the clinic exists (its chain was deleted)",
                               chain_of(clinic_id))
