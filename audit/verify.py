"""Check every audit chain: each row's hash, its link to the row before, no gap, the head (ADR 0002)."""

from collections.abc import Iterator
from dataclasses import dataclass

from .chain import LEGACY_CHAIN, chain_of, digest_of
from .models import AuditChain, AuditEvent
from .sealing import genesis_hash, seal_all


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    problem: str
    chain: int = 0


@dataclass(frozen=True)
class Checked:
    rows: int
    chains: int


def verify_chain(batch: int = 2000, tally: list[Checked] | None = None) -> Iterator[ChainProblem]:
    """Seal what waits, then yield every altered, removed, reordered or misplaced row of every chain."""
    seal_all()
    heads = {head.chain: head for head in AuditChain.objects.all()}
    chains = sorted(set(heads) | set(AuditEvent.objects.values_list("chain", flat=True).distinct()))
    rows = 0
    for chain in chains:
        counted = [0]
        yield from _verify_one(chain, heads.get(chain), batch, counted)
        rows += counted[0]
    if tally is not None:
        tally.append(Checked(rows=rows, chains=len(chains)))


def _verify_one(chain: int, head: AuditChain | None, batch: int, counted: list[int]) -> Iterator[ChainProblem]:
    legacy = chain == LEGACY_CHAIN
    if head is None:
        yield ChainProblem(0, "has rows but no chain head", chain)
    elif not legacy and head.genesis_hash not in {genesis_hash(), "0" * 64}:
        yield ChainProblem(0, "does not start from the genesis hash", chain)
    expected, prev = 1, (head.genesis_hash if head else "0" * 64)
    for event in AuditEvent.objects.filter(chain=chain, seq__isnull=False).order_by("seq").iterator(chunk_size=batch):
        counted[0] += 1
        yield from _check_row(event, chain, expected, prev, legacy)
        expected, prev = event.seq + 1, event.row_hash
    if head is not None and (head.seq != expected - 1 or head.last_hash != prev):
        yield ChainProblem(head.seq, f"the chain should end at row {head.seq} but ends at {expected - 1}"
                           if head.seq != expected - 1 else "the chain head does not match its last row", chain)


def _check_row(event: AuditEvent, chain: int, expected: int, prev: str, legacy: bool) -> Iterator[ChainProblem]:
    seq = event.seq if event.seq is not None else 0  # verify seals every waiting row before it checks
    if seq != expected:
        yield ChainProblem(expected, f"rows {expected}..{seq - 1} are missing", chain)
    if event.prev_hash != prev:
        yield ChainProblem(seq, "does not link to the row before it", chain)
    if (event.hash_version == 1) != legacy or (not legacy and chain_of(event.clinic_id) != chain):
        yield ChainProblem(seq, "is in the wrong chain", chain)
    try:
        intact = digest_of(event) == event.row_hash
    except ValueError:
        intact = False
    if not intact:
        yield ChainProblem(seq, "was altered after it was written", chain)
