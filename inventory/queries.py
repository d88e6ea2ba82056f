"""Scoped reads of the ledger: balances, amounts in force after corrections, what a session drew."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, cast

from django.db.models import Q, QuerySet

from accounts.models import User
from clinical.ledger import EntryKind as K
from clinical.ledger import mg_from_ml
from clinical.ledger.amend import STOCK_DIRECTION
from clinical.ledger.validate import STOCK_SIGN

from .choices import IN_STOCK, ContainerState, EntryKind
from .models import Container, Discrepancy, Inventory, LedgerEntry, Location, Lot, LotBalance

ZERO = Decimal("0.00")
TAKEN_KINDS = (EntryKind.DRAW, EntryKind.DESTRUCTION, EntryKind.LOSS_OR_THEFT)
"""Kinds that take mL out of one container."""


def entries(clinic: Any) -> QuerySet[LedgerEntry]:
    """The clinic's ledger, in ledger order, with what lists show."""
    return (LedgerEntry.objects.in_clinic(clinic)
            .select_related("lot__product", "location", "to_location", "container", "actor", "witness",
                            "second_witness", "session__patient", "supplier", "corrects")
            .order_by("pk"))


def balance_ml(lot: Lot, location: Location) -> Decimal:
    """The lot's balance at a location: the balance after the last entry that touched it."""
    last = (LedgerEntry.objects.filter(lot=lot).filter(Q(location=location) | Q(to_location=location))
            .order_by("-pk").values("location_id", "balance_after_ml", "to_balance_after_ml").first())
    if last is None:
        return ZERO
    return last["balance_after_ml"] if last["location_id"] == location.pk else last["to_balance_after_ml"]


@dataclass(frozen=True)
class BalanceRow:
    lot: Lot
    location: Location
    ml: Decimal
    mg: Decimal
    sealed: int
    opened: int


def balances(clinic: Any, *, lot: Lot | None = None, include_empty: bool = False) -> list[BalanceRow]:
    """Every (lot, location) balance of the clinic, with its sealed and opened containers (stored rows, ADR 0013)."""
    rows = LotBalance.objects.in_clinic(clinic).select_related("lot__product", "location")
    if lot is not None:
        rows = rows.filter(lot=lot)
    if not include_empty:
        rows = rows.exclude(ml=0)
    counts = _container_counts(clinic)
    found = []
    for row in rows:
        sealed, opened = counts.get((row.lot_id, row.location_id), (0, 0))
        found.append(BalanceRow(row.lot, row.location, row.ml, mg_from_ml(row.ml, row.lot.product.strength_mg_per_ml),
                                sealed, opened))
    return sorted(found, key=lambda r: (r.lot.expires_on, r.lot.lot_number, r.location.name))


def _container_counts(clinic: Any) -> dict[tuple[int, int], tuple[int, int]]:
    counts: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    for lot_id, loc_id, state in Container.objects.in_clinic(clinic).filter(state__in=IN_STOCK).values_list(
            "lot_id", "location_id", "state"):
        counts[(lot_id, loc_id)][0 if state == ContainerState.SEALED else 1] += 1
    return {k: (v[0], v[1]) for k, v in counts.items()}


def latest_corrections(rows: Iterable[LedgerEntry]) -> dict[int, LedgerEntry]:
    """The last correction of each entry that has one."""
    ids = [e.pk for e in rows]
    last: dict[int, LedgerEntry] = {}
    if not ids:
        return last
    for c in LedgerEntry.objects.filter(corrects_id__in=ids).order_by("pk"):
        if c.corrects_id is not None:
            last[c.corrects_id] = c
    return last


def in_force(entry: LedgerEntry, corrections: dict[int, LedgerEntry] | None = None) -> tuple[Decimal, Decimal]:
    """The (mL, mg) of an entry as last corrected, or as written."""
    if corrections is None:
        corrections = latest_corrections([entry])
    fix = corrections.get(entry.pk)
    if fix is None:
        return entry.quantity_ml, entry.quantity_mg
    return cast(Decimal, fix.corrected_ml), cast(Decimal, fix.corrected_mg)  # a correction carries both


def container_taken_ml(container: Container) -> Decimal:
    """mL taken out of a container by draws, destruction and loss, as corrected."""
    rows = list(container.entries.filter(kind__in=TAKEN_KINDS))
    fixes = latest_corrections(rows)
    return sum((in_force(e, fixes)[0] for e in rows), ZERO)


def container_remaining_ml(container: Container) -> Decimal:
    return container.lot.product.container_ml - container_taken_ml(container)


def stock_deltas(entry: LedgerEntry) -> list[tuple[tuple[int, int], Decimal]]:
    """The signed balance changes an entry made, per (lot id, location id), by the kernel's sign rules."""
    here = (entry.lot_id, entry.location_id)
    if entry.kind == EntryKind.CORRECTION:
        corrected = entry.corrects
        if corrected is None:
            raise ValueError(f"correction {entry.pk} names no entry")
        direction = STOCK_DIRECTION[K(corrected.kind)]
        change = entry.quantity_ml * direction
    else:
        direction = STOCK_SIGN[K(entry.kind)] if entry.kind != EntryKind.TRANSFER else -1
        change = entry.quantity_ml * direction
    if direction == 0:
        return []
    changes = [(here, change)]
    if entry.to_location_id is not None:
        changes.append(((entry.lot_id, entry.to_location_id), -change))
    return changes


@dataclass(frozen=True)
class SessionLot:
    lot: Lot
    location: Location
    drawn_mg: Decimal
    accounted_mg: Decimal

    @property
    def open_mg(self) -> Decimal:
        return self.drawn_mg - self.accounted_mg


def session_lots(session: Any) -> list[SessionLot]:
    """Each lot drawn for a session, first drawn first, with mg drawn and mg given or wasted."""
    rows = list(LedgerEntry.objects.filter(session=session, kind__in=(
        EntryKind.DRAW, EntryKind.ADMINISTRATION, EntryKind.WASTE)).select_related("lot__product", "location").order_by("pk"))
    fixes = latest_corrections(rows)
    drawn: dict[int, Decimal] = {}
    accounted: dict[int, Decimal] = defaultdict(lambda: ZERO)
    first: dict[int, LedgerEntry] = {}
    for e in rows:
        mg = in_force(e, fixes)[1]
        if e.kind == EntryKind.DRAW:
            drawn[e.lot_id] = drawn.get(e.lot_id, ZERO) + mg
            first.setdefault(e.lot_id, e)
        else:
            accounted[e.lot_id] += mg
    return [SessionLot(first[i].lot, first[i].location, drawn[i], accounted[i]) for i in drawn]


@dataclass(frozen=True)
class SessionTotals:
    """A session's ledger in mg, as corrected: drawn, administered and wasted."""

    drawn_mg: Decimal
    administered_mg: Decimal
    wasted_mg: Decimal


def session_totals(session: Any) -> SessionTotals:
    """Sum a session's draws, administrations and wastes (each as last corrected)."""
    rows = list(LedgerEntry.objects.filter(session=session, kind__in=(
        EntryKind.DRAW, EntryKind.ADMINISTRATION, EntryKind.WASTE)))
    fixes = latest_corrections(rows)
    sums: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for e in rows:
        sums[e.kind] += in_force(e, fixes)[1]
    return SessionTotals(sums[EntryKind.DRAW], sums[EntryKind.ADMINISTRATION], sums[EntryKind.WASTE])


def staff_member(clinic: Any, username: str) -> User | None:
    """An active staff member of the clinic by username (for witness fields)."""
    return User.objects.filter(username=username.strip(), is_active=True, memberships__clinic=clinic,
                               memberships__active=True).first()


def open_discrepancies(clinic: Any) -> QuerySet[Discrepancy]:
    return (Discrepancy.objects.in_clinic(clinic).filter(resolution__isnull=True)
            .select_related("lot__product", "location", "count__counted_by").order_by("opened_at"))


def last_inventory(clinic: Any) -> Inventory | None:
    return Inventory.objects.in_clinic(clinic).order_by("-taken_at").first()


def first_receipt(clinic: Any) -> LedgerEntry | None:
    return LedgerEntry.objects.in_clinic(clinic).filter(kind=EntryKind.RECEIPT).order_by("at").first()


def stock_containers(clinic: Any) -> QuerySet[Container]:
    """Containers still in stock (sealed or open), soonest expiry first."""
    return (Container.objects.in_clinic(clinic).filter(state__in=IN_STOCK)
            .select_related("lot__product", "location").order_by("lot__expires_on", "lot__lot_number", "code"))


def remaining_by_container(clinic: Any) -> dict[int, Decimal]:
    """mL left in each in-stock container of the clinic, in two queries."""
    rows = list(LedgerEntry.objects.in_clinic(clinic).filter(kind__in=TAKEN_KINDS, container__state__in=IN_STOCK))
    fixes = latest_corrections(rows)
    taken: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for e in rows:
        if e.container_id is not None:
            taken[e.container_id] += in_force(e, fixes)[0]
    return {c.pk: c.lot.product.container_ml - taken[c.pk] for c in stock_containers(clinic)}


def sessions_to_draw_for(clinic: Any, now: datetime) -> QuerySet[Any]:
    """Sessions a draw may be for: not cancelled, from three days ago to a week ahead."""
    from infusions.choices import NOT_HELD
    from infusions.models import InfusionSession

    return (InfusionSession.objects.in_clinic(clinic).exclude(state__in=NOT_HELD)
            .filter(scheduled_start__gte=now - timedelta(days=3), scheduled_start__lte=now + timedelta(days=7))
            .select_related("patient").order_by("scheduled_start"))


def sessions_with_draws(clinic: Any, now: datetime, *, without_administration: bool = False) -> QuerySet[Any]:
    """Sessions of the last two weeks that drew stock (for administration and waste)."""
    from infusions.models import InfusionSession

    drawn = LedgerEntry.objects.in_clinic(clinic).filter(kind=EntryKind.DRAW, at__gte=now - timedelta(days=14))
    rows = InfusionSession.objects.in_clinic(clinic).filter(pk__in=drawn.values("session_id"))
    if without_administration:
        rows = rows.exclude(pk__in=LedgerEntry.objects.filter(kind=EntryKind.ADMINISTRATION).values("session_id"))
    return rows.select_related("patient").order_by("-scheduled_start")
