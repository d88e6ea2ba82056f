"""Totals for the lot history and a session's ledger page, from amounts in force after corrections."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from clinical.ledger import SessionAmount, SessionReconciliation, mg_from_ml, reconcile_sessions

from .choices import EntryKind
from .models import LedgerEntry, Lot
from .queries import balances, in_force, latest_corrections

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class LotSummary:
    """Every mg of a lot: received, and where it went."""

    mg: dict[str, Decimal]
    on_hand_mg: Decimal

    @property
    def unaccounted_mg(self) -> Decimal:
        """received - drawn - destroyed - lost - on hand: 0 when the ledger adds up."""
        m = self.mg
        out = m[EntryKind.DRAW] + m[EntryKind.DESTRUCTION] + m[EntryKind.LOSS_OR_THEFT]
        return m[EntryKind.RECEIPT] - out - self.on_hand_mg


def lot_summary(lot: Lot, rows: list[LedgerEntry]) -> LotSummary:
    fixes = latest_corrections(rows)
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for e in rows:
        if e.kind not in (EntryKind.CORRECTION, EntryKind.COUNT, EntryKind.TRANSFER):
            totals[e.kind] += in_force(e, fixes)[1]
    on_hand = sum((b.ml for b in balances(lot.clinic, lot=lot, include_empty=True)), ZERO)
    return LotSummary(mg=totals, on_hand_mg=mg_from_ml(on_hand, lot.product.strength_mg_per_ml))


def session_summary(session: Any, tolerance_mg: Decimal) -> SessionReconciliation | None:
    """The kernel's reconciliation of one session, or None when nothing was drawn or given for it."""
    rows = list(LedgerEntry.objects.filter(session=session, kind__in=(
        EntryKind.DRAW, EntryKind.ADMINISTRATION, EntryKind.WASTE)))
    if not rows:
        return None
    fixes = latest_corrections(rows)
    groups: dict[str, list[SessionAmount]] = defaultdict(list)
    for e in rows:
        groups[e.kind].append(SessionAmount(str(session.pk), in_force(e, fixes)[1]))
    report = reconcile_sessions(groups[EntryKind.DRAW], groups[EntryKind.ADMINISTRATION], groups[EntryKind.WASTE],
                                tolerance_mg=tolerance_mg)
    return report.sessions[0]
