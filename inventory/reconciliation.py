"""Does every session add up, and does the ledger still agree with itself and with the audit chain?

Sessions: the kernel's reconcile_sessions (drawn = administered + wasted, within the clinic's
tolerance). A session still before the end of its infusion, with nothing given yet, is shown
as in progress rather than as failing.
Integrity: replaying every entry's stock change with the kernel's `apply` must give the
balance after each entry as stored, and each entry must match the audit event written with it.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q

from audit.models import AuditEvent
from clinical.errors import ClinicalError
from clinical.ledger import (
    Balance,
    Delta,
    EntryKind,
    Movement,
    Quantity,
    SessionAmount,
    SessionReconciliation,
    apply,
    reconcile_sessions,
)
from infusions.choices import NOT_HELD, SessionState
from infusions.models import InfusionSession

from .choices import EntryKind as Kind
from .models import Container, Discrepancy, LedgerEntry
from .policy import ledger_policy
from .queries import BalanceRow, balances, in_force, latest_corrections, open_discrepancies, stock_deltas

DUE_STATES = {SessionState.RECOVERING, SessionState.DISCHARGED, SessionState.STOPPED_EARLY,
              SessionState.TRANSFERRED, *NOT_HELD}
"""Sessions whose infusion is over: what was drawn must be accounted for."""


@dataclass(frozen=True)
class SessionLine:
    session: InfusionSession
    result: SessionReconciliation
    due: bool

    @property
    def status(self) -> str:
        if self.result.infused_without_draw:
            return "infused, nothing drawn"
        if self.result.ok:
            return "reconciled"
        return "does not reconcile" if self.due else "in progress"


@dataclass
class Reconciliation:
    tolerance_mg: Decimal
    balances: list[BalanceRow]
    sessions: list[SessionLine]
    draws_without_session: list[LedgerEntry]
    opened_without_session: list[Container]
    open_discrepancies: list[Discrepancy]
    ledger_problems: list[str] = field(default_factory=list)
    open_draws: list[LedgerEntry] = field(default_factory=list)
    """Every draw its session has not closed by administration plus waste (within tolerance), newest first."""

    @property
    def failing(self) -> list[SessionLine]:
        return [s for s in self.sessions if s.status in ("does not reconcile", "infused, nothing drawn")]

    @property
    def infused_without_draw(self) -> list[SessionLine]:
        return [s for s in self.sessions if s.result.infused_without_draw]

    @property
    def ok(self) -> bool:
        return not (self.failing or self.draws_without_session or self.opened_without_session
                    or self.open_discrepancies or self.ledger_problems)


def reconcile(clinic: Any, *, check_integrity: bool = True) -> Reconciliation:
    """The clinic's reconciliation report."""
    rows = list(LedgerEntry.objects.in_clinic(clinic).filter(kind__in=(Kind.DRAW, Kind.ADMINISTRATION, Kind.WASTE)))
    fixes = latest_corrections(rows)
    groups: dict[str, list[SessionAmount]] = defaultdict(list)
    for e in rows:
        groups[e.kind].append(SessionAmount(None if e.session_id is None else str(e.session_id), in_force(e, fixes)[1],
                                            str(e.container_id), str(e.pk)))
    infused = InfusionSession.objects.in_clinic(clinic).filter(started_at__isnull=False).values_list("pk", flat=True)
    report = reconcile_sessions(groups[Kind.DRAW], groups[Kind.ADMINISTRATION], groups[Kind.WASTE],
                                tolerance_mg=ledger_policy(clinic).reconciliation_tolerance_mg,
                                infused=[str(pk) for pk in infused])
    sessions = InfusionSession.objects.in_clinic(clinic).select_related("patient").in_bulk(
        [int(s.session_ref) for s in report.sessions])
    given = set(LedgerEntry.objects.in_clinic(clinic).filter(kind=Kind.ADMINISTRATION).values_list("session_id", flat=True))
    lines = [SessionLine(sessions[int(s.session_ref)], s,
                         sessions[int(s.session_ref)].state in DUE_STATES or int(s.session_ref) in given)
             for s in report.sessions]
    unlinked = [int(d.entry_id) for d in report.draws_without_session if d.entry_id]
    unclosed = {int(s.session_ref) for s in report.sessions if not s.ok and s.difference_mg > 0}
    open_draws = list(LedgerEntry.objects.in_clinic(clinic).filter(kind=Kind.DRAW)
                      .filter(Q(session_id__in=unclosed) | Q(session__isnull=True))
                      .select_related("lot", "container", "session__patient").order_by("-at", "-pk"))
    return Reconciliation(
        tolerance_mg=ledger_policy(clinic).reconciliation_tolerance_mg,
        balances=balances(clinic),
        sessions=sorted(lines, key=lambda s: s.session.scheduled_start, reverse=True),
        draws_without_session=list(LedgerEntry.objects.filter(pk__in=unlinked).select_related("lot", "container")),
        opened_without_session=opened_without_session(clinic),
        open_discrepancies=list(open_discrepancies(clinic)),
        ledger_problems=ledger_problems(clinic) if check_integrity else [],
        open_draws=open_draws,
    )


def opened_without_session(clinic: Any) -> list[Container]:
    """Opened or emptied containers with no draw for a session and no loss to explain them."""
    explained = Q(entries__kind=Kind.DRAW, entries__session__isnull=False) | Q(entries__kind=Kind.LOSS_OR_THEFT)
    suspects = Container.objects.in_clinic(clinic).filter(state__in=("open", "empty"))
    return list(suspects.exclude(pk__in=Container.objects.filter(explained).values("pk"))
                .select_related("lot__product", "location"))


def ledger_problems(clinic: Any) -> list[str]:
    """Replay the ledger and match it with the audit chain; describe every disagreement."""
    problems = _replay_problems(clinic)
    problems += _audit_problems(clinic)
    return problems


def _replay_problems(clinic: Any) -> list[str]:
    books: dict[tuple[str, str], Decimal] = {}
    problems = []
    for entry in LedgerEntry.objects.in_clinic(clinic).select_related("corrects").order_by("pk"):
        stored = [entry.balance_after_ml, entry.to_balance_after_ml]
        deltas = tuple(
            Delta(lot=str(lot), location=str(place), delta_ml=change,
                  balance_after=Balance(str(lot), str(place), stored[i] or Decimal(0), Decimal(0)))
            for i, ((lot, place), change) in enumerate(stock_deltas(entry)))
        try:
            books = apply(books, Movement(kind=EntryKind(entry.kind), quantity=Quantity(Decimal(0), Decimal(0)),
                                          deltas=deltas))
        except ClinicalError as exc:
            problems.append(f"entry {entry.pk}: {exc}")
            continue
        for d in deltas:
            if books[d.key] != d.balance_after.ml:
                problems.append(f"entry {entry.pk}: balance after is stored as {d.balance_after.ml} mL but the "
                                f"entries before it give {books[d.key]} mL")
    return problems


def _audit_problems(clinic: Any) -> list[str]:
    events = {int(e.object_id): e.detail for e in AuditEvent.objects.filter(
        clinic=clinic, object_type="inventory.ledgerentry", action__startswith="ledger_")}
    problems = []
    for pk, kind, ml, after in LedgerEntry.objects.in_clinic(clinic).values_list(
            "pk", "kind", "quantity_ml", "balance_after_ml"):
        detail = events.get(pk)
        if detail is None:
            problems.append(f"entry {pk} ({kind}) has no audit event")
        elif (detail.get("quantity_ml"), detail.get("balance_after_ml")) != (str(ml), str(after)):
            problems.append(f"entry {pk} ({kind}) differs from its audit event: {ml} mL, balance {after} mL now; "
                            f"{detail.get('quantity_ml')} mL, balance {detail.get('balance_after_ml')} mL when written")
    return problems


def as_json(clinic: Any, r: Reconciliation) -> dict[str, Any]:
    """The report as JSON-ready data (for `ketacare ledger reconcile --json` and the API)."""
    return {
        "clinic": clinic.slug, "ok": r.ok, "tolerance_mg": str(r.tolerance_mg),
        "balances": [{"lot": b.lot.lot_number, "product": b.lot.product.name, "strength_mg_per_ml": str(b.lot.product.strength_mg_per_ml),
                      "expires_on": b.lot.expires_on.isoformat(), "location": b.location.name, "ml": str(b.ml), "mg": str(b.mg),
                      "sealed": b.sealed, "opened": b.opened} for b in r.balances],
        "unreconciled_sessions": [{"session": s.session.pk, "mrn": s.session.patient.mrn, "infusion": s.session.number,
                                   "drawn_mg": str(s.result.drawn_mg), "administered_mg": str(s.result.administered_mg),
                                   "wasted_mg": str(s.result.wasted_mg), "difference_mg": str(s.result.difference_mg)}
                                  for s in r.failing],
        "infused_without_draw": [{"session": s.session.pk, "mrn": s.session.patient.mrn, "infusion": s.session.number,
                                  "started_at": s.session.started_at.isoformat() if s.session.started_at else None}
                                 for s in r.infused_without_draw],
        "open_draws": [{"draw_entry": d.pk, "session": d.session_id, "at": d.at.isoformat(), "quantity_mg": str(d.quantity_mg),
                        "container": d.container.code if d.container else None} for d in r.open_draws],
        "opened_without_session": [{"container": c.code, "state": c.state, "location": c.location.name}
                                   for c in r.opened_without_session]
        + [{"draw_entry": d.pk, "container": d.container.code if d.container else None} for d in r.draws_without_session],
        "open_discrepancies": [{"id": d.pk, "lot": d.lot.lot_number, "location": d.location.name,
                                "difference_ml": str(d.difference_ml), "difference_mg": str(d.difference_mg)}
                               for d in r.open_discrepancies],
        "ledger_problems": r.ledger_problems,
    }
