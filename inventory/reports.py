"""The ledger's reports as tables: each prints as HTML and downloads as CSV with the same columns.

Columns follow the dispenser record of 21 CFR 1304.22(c) (CLINICAL.md section 6): substance,
form and strength; containers received with date and supplier (name, address, DEA number);
each administration with patient, date, amount and who gave it; every other disposal with
date and manner.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.urls import reverse

from clinical.ledger import mg_from_ml

from .choices import EntryKind
from .models import Count, Inventory, LedgerEntry
from .queries import entries, in_force, latest_corrections


@dataclass(frozen=True)
class Row:
    cells: list[str]
    url: str = ""


@dataclass(frozen=True)
class Table:
    slug: str
    title: str
    about: str
    headers: list[str]
    rows: list[Row]
    patient_data: bool = False


def _local(value: datetime, clinic: Any) -> str:
    return value.astimezone(ZoneInfo(clinic.time_zone)).strftime("%Y-%m-%d %H:%M")


def _substance(e: LedgerEntry) -> list[str]:
    p = e.lot.product
    return [p.name, p.get_form_display(), f"{p.strength_mg_per_ml} mg/mL", e.lot.lot_number]


def _who(user: Any) -> str:
    return "" if user is None else f"{user.get_full_name() or user.username} ({user.username})"


def _entry_url(e: LedgerEntry) -> str:
    return reverse("inventory:entry", kwargs={"entry_id": e.pk})


def _within(rows: Any, start: date | None, end: date | None) -> Any:
    if start:
        rows = rows.filter(at__date__gte=start)
    if end:
        rows = rows.filter(at__date__lte=end)
    return rows


def _amount(e: LedgerEntry, fixes: dict[int, LedgerEntry]) -> list[str]:
    ml, mg = in_force(e, fixes)
    note = f" (corrected from {e.quantity_mg} mg)" if e.pk in fixes else ""
    return [f"{mg} mg{note}", f"{ml} mL"]


def dispensing(clinic: Any, start: date | None = None, end: date | None = None) -> Table:
    rows = list(_within(entries(clinic).filter(kind=EntryKind.ADMINISTRATION), start, end))
    fixes = latest_corrections(rows)
    return Table("dispensing", "Dispensing and administration log",
                 "Each administration: substance, form, strength, patient, date, amount and who gave it (21 CFR 1304.22(c)).",
                 ["Date", "Substance", "Form", "Strength", "Lot", "Patient", "MRN", "Amount (mg)", "Amount (mL)",
                  "Given by", "Session", "Entry"],
                 [Row([_local(e.at, clinic), *_substance(e), e.session.patient.full_name, e.session.patient.mrn,
                       *_amount(e, fixes), _who(e.actor), f"Infusion {e.session.number}", str(e.pk)], _entry_url(e))
                  for e in rows], patient_data=True)


def receipts(clinic: Any, start: date | None = None, end: date | None = None) -> Table:
    rows = _within(entries(clinic).filter(kind=EntryKind.RECEIPT), start, end)
    return Table("receipts", "Receipts",
                 "Containers received, with date and supplier name, address and DEA number (21 CFR 1304.22(c)).",
                 ["Date", "Substance", "Form", "Strength", "Lot", "Expires", "Containers", "Container volume",
                  "Total (mL)", "Total (mg)", "Supplier", "Supplier address", "Supplier DEA number", "Invoice",
                  "Location", "Received by", "Entry"],
                 [Row([_local(e.at, clinic), *_substance(e), e.lot.expires_on.isoformat(), str(e.containers_count),
                       f"{e.lot.product.container_ml} mL", str(e.quantity_ml), str(e.quantity_mg), e.supplier.name,
                       " ".join(e.supplier.address.split()), e.supplier.dea_number, e.invoice, e.location.name,
                       _who(e.actor), str(e.pk)], _entry_url(e)) for e in rows])


def disposals(clinic: Any, start: date | None = None, end: date | None = None) -> Table:
    kinds = (EntryKind.WASTE, EntryKind.DESTRUCTION, EntryKind.LOSS_OR_THEFT)
    rows = list(_within(entries(clinic).filter(kind__in=kinds), start, end))
    fixes = latest_corrections(rows)
    return Table("disposals", "Waste, destruction and loss",
                 "Every disposal other than administration, with date and manner: witnessed waste (79 FR 53519), "
                 "destruction with two witnesses (DEA Form 41), loss or theft (DEA Form 106).",
                 ["Date", "Kind", "Substance", "Form", "Strength", "Lot", "Container", "Amount (mg)", "Amount (mL)",
                  "Manner or method", "Place", "Patient", "Recorded by", "Witnesses", "Form reference", "Entry"],
                 [Row([_local(e.at, clinic), e.get_kind_display() + (f" ({e.get_loss_cause_display()})" if e.loss_cause else ""),
                       *_substance(e), e.container.code if e.container else "", *_amount(e, fixes), e.method, e.place,
                       e.session.patient.mrn if e.session else "", _who(e.actor),
                       "; ".join(_who(w) for w in (e.witness, e.second_witness) if w), e.report_ref, str(e.pk)],
                      _entry_url(e)) for e in rows], patient_data=True)


def counts(clinic: Any, start: date | None = None, end: date | None = None) -> Table:
    rows = _within(Count.objects.in_clinic(clinic), start, end).select_related(
        "lot__product", "location", "counted_by", "inventory", "discrepancy__resolution__resolved_by", "entry")
    return Table("counts", "Counts and discrepancies",
                 "Each physical count against the book balance; a difference stays open until an inventory officer explains it.",
                 ["Date", "Lot", "Strength", "Location", "Sealed", "Opened", "Opened (mL)", "Estimated", "Expected (mL)",
                  "Counted (mL)", "Difference (mL)", "Status", "Explanation", "Resolved by", "Counted by", "Entry"],
                 [Row(_count_cells(c, clinic), _entry_url(c.entry)) for c in rows.order_by("at")])


def _count_cells(c: Count, clinic: Any) -> list[str]:
    found = getattr(c, "discrepancy", None)  # a missing reverse one-to-one raises AttributeError
    resolution = getattr(found, "resolution", None)
    status = "agrees" if found is None else ("open" if resolution is None else "resolved")
    return [_local(c.at, clinic), c.lot.lot_number, f"{c.lot.product.strength_mg_per_ml} mg/mL", c.location.name,
            str(c.sealed_containers), str(c.opened_containers), str(c.opened_ml), "yes" if c.estimated else "no",
            str(c.expected_ml), str(c.counted_ml), "" if found is None else str(found.difference_ml), status,
            resolution.explanation if resolution else "", _who(resolution.resolved_by) if resolution else "",
            _who(c.counted_by), str(c.entry_id)]


def inventory_table(inventory: Inventory) -> Table:
    clinic = inventory.clinic
    lines = inventory.counts.select_related("lot__product", "location").order_by("lot__lot_number", "location__name")
    return Table("inventory", f"{inventory.get_kind_display()} of {_local(inventory.taken_at, clinic)}",
                 f"Taken at {inventory.get_business_time_display().lower()} by {_who(inventory.taken_by)} "
                 "(21 CFR 1304.11; opened containers of a Schedule III substance may be estimated).",
                 ["Substance", "Form", "Strength", "Container volume", "Lot", "Location", "Sealed containers",
                  "Opened containers", "Opened (mL)", "Estimated", "Total (mL)", "Total (mg)", "Book (mL)"],
                 [Row([c.lot.product.name, c.lot.product.get_form_display(), f"{c.lot.product.strength_mg_per_ml} mg/mL",
                       f"{c.lot.product.container_ml} mL", c.lot.lot_number, c.location.name, str(c.sealed_containers),
                       str(c.opened_containers), str(c.opened_ml), "yes" if c.estimated else "no", str(c.counted_ml),
                       str(mg_from_ml(c.counted_ml, c.lot.product.strength_mg_per_ml)), str(c.expected_ml)])
                  for c in lines])


REPORTS: dict[str, Callable[..., Table]] = {
    "dispensing": dispensing,
    "receipts": receipts,
    "disposals": disposals,
    "counts": counts,
}


def csv_rows(table: Table) -> Iterable[list[str]]:
    yield table.headers
    for row in table.rows:
        yield row.cells


def reconciliation_table(rec: Any, clinic: Any) -> Table:
    """Sessions set against their draws (kernel reconcile_sessions), failing ones first."""
    order = {"infused, nothing drawn": 0, "does not reconcile": 0, "in progress": 1, "reconciled": 2}
    lines = sorted(rec.sessions, key=lambda s: order[s.status])
    return Table("reconciliation", "Session reconciliation",
                 f"Drawn = administered + wasted for every session, within {rec.tolerance_mg} mg (clinic setting).",
                 ["Session date", "Patient", "MRN", "Infusion", "Session state", "Drawn (mg)", "Administered (mg)",
                  "Wasted (mg)", "Unaccounted (mg)", "Status"],
                 [Row([_local(s.session.scheduled_start, clinic), s.session.patient.full_name, s.session.patient.mrn,
                       str(s.session.number), s.session.get_state_display(), str(s.result.drawn_mg),
                       str(s.result.administered_mg), str(s.result.wasted_mg), str(s.result.difference_mg), s.status],
                      reverse("inventory:session", kwargs={"session_id": s.session.pk})) for s in lines],
                 patient_data=True)
