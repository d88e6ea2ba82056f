"""Reconcile each infusion session's draws against what was given and wasted.

Every mg drawn for a session must be accounted for: administered to the
patient (21 CFR 1304.22(c)), wasted with a witness (79 FR 53519), or returned
to stock. The difference may be at most a clinic-set tolerance (Policy,
default 0.5 mg, `LedgerPolicy.reconciliation_tolerance_mg`; no authoritative
source -- it absorbs the 0.01 mL / 0.01 mg rounding and syringe dead space).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from clinical.errors import ClinicalError
from clinical.ledger.entries import EntryKind, LedgerEntryIn, LedgerPolicy, LotInfo, LotKey
from clinical.ledger.quantities import ZERO, quantity_of

DEFAULT_POLICY = LedgerPolicy()


@dataclass(frozen=True)
class SessionAmount:
    """An amount (mg) a ledger entry ties to a session; None = tied to none."""

    session_ref: str | None
    mg: Decimal
    container_id: str | None = None
    entry_id: str | None = None


@dataclass(frozen=True)
class SessionReconciliation:
    """One session's drawn mg set against administered, wasted and returned mg."""

    session_ref: str
    drawn_mg: Decimal
    administered_mg: Decimal
    wasted_mg: Decimal
    returned_mg: Decimal
    difference_mg: Decimal
    """drawn - returned - administered - wasted; > 0 is drug not accounted for."""
    ok: bool
    infused_without_draw: bool = False
    """The session infused with nothing drawn for it (ADR 0015): never ok, whatever the sums say."""


@dataclass(frozen=True)
class ReconciliationReport:
    """All sessions, plus draws linked to no session (each one needs explaining)."""

    sessions: tuple[SessionReconciliation, ...]
    draws_without_session: tuple[SessionAmount, ...]

    @property
    def failing(self) -> tuple[SessionReconciliation, ...]:
        """Return the sessions that do not reconcile."""
        return tuple(s for s in self.sessions if not s.ok)

    @property
    def ok(self) -> bool:
        """Tell whether every session reconciles and every draw has a session."""
        return not self.failing and not self.draws_without_session


def _totals(amounts: Iterable[SessionAmount], what: str) -> dict[str, Decimal]:
    """Sum mg per session, refusing an amount with no session or a negative mg."""
    totals: dict[str, Decimal] = {}
    for amount in amounts:
        if amount.session_ref is None:
            raise ClinicalError(f"Every {what} must name its infusion session.")
        if amount.mg < 0:
            raise ClinicalError(f"A {what} of {amount.mg} mg is negative.")
        totals[amount.session_ref] = totals.get(amount.session_ref, ZERO) + amount.mg
    return totals


def reconcile_sessions(
    draws: Iterable[SessionAmount],
    administrations: Iterable[SessionAmount],
    wastes: Iterable[SessionAmount],
    *,
    tolerance_mg: Decimal = DEFAULT_POLICY.reconciliation_tolerance_mg,
    returns: Iterable[SessionAmount] = (),
    infused: Iterable[str] = (),
) -> ReconciliationReport:
    """Check drawn = administered + wasted + returned per session, within tolerance.

    Returns without a session are ignored (stock back from elsewhere); draws
    without one are listed in the report. `infused` names every session whose
    infusion ran: each is listed, and one with nothing drawn never reconciles
    (the drug it gave came from nowhere the ledger knows; ADR 0015).
    """
    tolerance = LedgerPolicy(reconciliation_tolerance_mg=tolerance_mg).reconciliation_tolerance_mg
    draw_list = list(draws)
    unlinked = tuple(d for d in draw_list if d.session_ref is None)
    drawn = _totals((d for d in draw_list if d.session_ref is not None), "draw")
    given = _totals(administrations, "administration")
    wasted = _totals(wastes, "waste")
    returned = _totals((r for r in returns if r.session_ref is not None), "return")
    ran = set(infused)
    refs = sorted(drawn.keys() | given.keys() | wasted.keys() | returned.keys() | ran)
    sessions = tuple(
        _reconcile_one(ref, drawn, given, wasted, returned, tolerance, ref in ran) for ref in refs
    )
    return ReconciliationReport(sessions=sessions, draws_without_session=unlinked)


def _reconcile_one(
    ref: str,
    drawn: Mapping[str, Decimal],
    given: Mapping[str, Decimal],
    wasted: Mapping[str, Decimal],
    returned: Mapping[str, Decimal],
    tolerance: Decimal,
    ran: bool = False,
) -> SessionReconciliation:
    """Reconcile one session from the per-session totals."""
    d, g, w, r = (m.get(ref, ZERO) for m in (drawn, given, wasted, returned))
    difference = d - r - g - w
    nothing_drawn = ran and ref not in drawn
    return SessionReconciliation(
        session_ref=ref,
        drawn_mg=d,
        administered_mg=g,
        wasted_mg=w,
        returned_mg=r,
        difference_mg=difference,
        ok=abs(difference) <= tolerance and not nothing_drawn,
        infused_without_draw=nothing_drawn,
    )


_ROLE = {
    EntryKind.DRAW: 0,
    EntryKind.ADMINISTRATION: 1,
    EntryKind.WASTE: 2,
    EntryKind.RETURN: 3,
}


def reconcile_entries(
    entries: Iterable[LedgerEntryIn],
    lots: Mapping[LotKey, LotInfo],
    *,
    policy: LedgerPolicy = DEFAULT_POLICY,
) -> ReconciliationReport:
    """Reconcile sessions straight from ledger entries, using each lot's strength."""
    groups: tuple[list[SessionAmount], ...] = ([], [], [], [])
    for entry in entries:
        role = _ROLE.get(entry.kind)
        if role is None:
            continue
        if entry.lot not in lots:
            raise ClinicalError(f"Lot {entry.lot} is not on record.")
        mg = quantity_of(entry, lots[entry.lot]).mg
        groups[role].append(SessionAmount(entry.session_ref, mg, entry.container_id))
    draws, given, wasted, returned = groups
    return reconcile_sessions(
        draws, given, wasted, tolerance_mg=policy.reconciliation_tolerance_mg, returns=returned
    )
