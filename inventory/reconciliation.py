"""Does every session add up, and does the ledger still agree with itself and with the audit chain?

Sessions: the kernel's reconcile_sessions (drawn = administered + wasted, within the clinic's
tolerance). A session still before the end of its infusion, with nothing given yet, is shown
as in progress rather than as failing.
Integrity: replaying every entry's stock change with the kernel's `apply` must give the
balance after each entry as stored, and each entry must match the audit event written with it.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from audit.models import AuditEvent
from clinical.errors import ClinicalError
from clinical.ledger import (
    Balance,
    Delta,
    EntryKind,
    Movement,
    Quantity,
    SessionReconciliation,
    apply,
)
from infusions.choices import NOT_HELD, SessionState
from infusions.models import InfusionSession

from .choices import EntryKind as Kind
from .models import Container, Discrepancy, LedgerEntry, SessionLedger
from .policy import ledger_policy
from .queries import BalanceRow, balances, open_discrepancies, stock_deltas

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


def _line(row: SessionLedger, tolerance: Decimal) -> SessionLine:
    result = SessionReconciliation(str(row.session_id), row.drawn_mg, row.administered_mg, row.wasted_mg,
                                   row.returned_mg, row.difference_mg, ok=row.unaccounted_mg <= tolerance)
    return SessionLine(row.session, result, row.session.state in DUE_STATES or row.given)


def _nothing_drawn_line(session: InfusionSession, row: SessionLedger | None) -> SessionLine:
    """A session that infused with nothing drawn for it: listed, never reconciled (the kernel's rule, ADR 0015)."""
    zero = Decimal(0)
    amounts = (row.drawn_mg, row.administered_mg, row.wasted_mg, row.returned_mg, row.difference_mg) if row else (zero,) * 5
    return SessionLine(session, SessionReconciliation(str(session.pk), *amounts, ok=False, infused_without_draw=True), True)


def infused_without_draw(clinic: Any) -> QuerySet[InfusionSession]:
    return InfusionSession.objects.in_clinic(clinic).filter(started_at__isnull=False).exclude(ledger_line__drawn_mg__gt=0)


def open_draws(clinic: Any, tolerance: Decimal) -> QuerySet[LedgerEntry]:
    """Draws not closed by administration plus waste (their session's totals beyond tolerance, or no session), newest first."""
    unclosed = SessionLedger.objects.in_clinic(clinic).filter(unaccounted_mg__gt=tolerance, difference_mg__gt=0)
    return (LedgerEntry.objects.in_clinic(clinic).filter(kind=Kind.DRAW)
            .filter(Q(session_id__in=unclosed.values("session_id")) | Q(session__isnull=True)).order_by("-at", "-pk"))


def failing_lines(clinic: Any, tolerance: Decimal) -> QuerySet[SessionLedger]:
    """Stored session totals beyond tolerance whose infusion is over or was given (the failing list, indexed)."""
    return (SessionLedger.objects.in_clinic(clinic).filter(unaccounted_mg__gt=tolerance)
            .filter(Q(given=True) | Q(session__state__in=DUE_STATES)))


def draws_without_session(clinic: Any) -> list[LedgerEntry]:
    return list(LedgerEntry.objects.in_clinic(clinic).filter(kind=Kind.DRAW, session__isnull=True)
                .select_related("lot", "container").order_by("pk"))


def reconcile(clinic: Any, *, check_integrity: bool = True) -> Reconciliation:
    """The clinic's reconciliation report, from the session totals the ledger services keep (ADR 0013).

    Every session that infused is listed, one with nothing drawn as never reconciling, and every draw its
    session has not closed by administration plus waste (ADR 0015).
    """
    tolerance = ledger_policy(clinic).reconciliation_tolerance_mg
    rows = list(SessionLedger.objects.in_clinic(clinic).select_related("session__patient"))
    by_session = {r.session_id: _line(r, tolerance) for r in rows}
    for session in (InfusionSession.objects.in_clinic(clinic).filter(started_at__isnull=False)
                    .exclude(ledger_line__drawn_mg__gt=0).select_related("patient")):
        row = next((r for r in rows if r.session_id == session.pk), None)
        by_session[session.pk] = _nothing_drawn_line(session, row)
    lines = list(by_session.values())
    unclosed = {r.session_id for r in rows if r.unaccounted_mg > tolerance and r.difference_mg > 0}
    open_draws = list(LedgerEntry.objects.in_clinic(clinic).filter(kind=Kind.DRAW)
                      .filter(Q(session_id__in=unclosed) | Q(session__isnull=True))
                      .select_related("lot", "container", "session__patient").order_by("-at", "-pk"))
    return Reconciliation(
        tolerance_mg=tolerance,
        balances=balances(clinic),
        sessions=sorted(lines, key=lambda s: s.session.scheduled_start, reverse=True),
        draws_without_session=draws_without_session(clinic),
        opened_without_session=opened_without_session(clinic),
        open_discrepancies=list(open_discrepancies(clinic)),
        ledger_problems=ledger_problems(clinic) if check_integrity else [],
        open_draws=open_draws,
    )


@dataclass(frozen=True)
class Summary:
    """What the dashboards show of the ledger, in a bounded number of queries whatever its length."""

    failing: int  # sessions whose sums do not reconcile (those infused with nothing drawn are `no_draw`)
    open_discrepancies: list[Discrepancy]
    opened_without_session: int
    balances: list[BalanceRow]
    no_draw: int = 0
    open_draws: int = 0

    @property
    def ok(self) -> bool:
        return not (self.failing or self.no_draw or self.open_discrepancies or self.opened_without_session)


def summary(clinic: Any) -> Summary:
    tolerance = ledger_policy(clinic).reconciliation_tolerance_mg
    no_draw = infused_without_draw(clinic)
    return Summary(failing=failing_lines(clinic, tolerance).exclude(session__in=no_draw).count(),
                   open_discrepancies=list(open_discrepancies(clinic)),
                   opened_without_session=len(opened_without_session(clinic)), balances=balances(clinic),
                   no_draw=no_draw.count(), open_draws=open_draws(clinic, tolerance).count())


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
