"""Ledger pages that read: home, lot history, entry detail, a session's ledger, reports, inventories."""

import csv
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.access import ClinicRequest, allow, can
from accounts.pages import audit_read, page
from accounts.permissions import Perm
from clinical.ledger import inventory_due, retained_until
from infusions.models import InfusionSession

from . import queries, reports
from .choices import EntryKind
from .models import Discrepancy, Inventory, LedgerEntry, Lot
from .policy import ledger_policy
from .reconciliation import infused_without_draw, open_draws, reconcile, summary
from .summaries import lot_summary, session_summary


def _clinic(request: ClinicRequest) -> Any:
    return request.clinic


def _today(clinic: Any) -> date:
    return timezone.localdate(timezone=ZoneInfo(clinic.time_zone))


def inventory_status(clinic: Any) -> dict[str, Any]:
    """The last inventory and when the next is due (kernel inventory_due, 21 CFR 1304.11)."""
    last, first = queries.last_inventory(clinic), queries.first_receipt(clinic)
    zone = ZoneInfo(clinic.time_zone)
    if last is None and first is None:
        return {"last": None, "due": None}
    last_on = timezone.localtime(last.taken_at, zone).date() if last else None
    started_on = timezone.localtime(first.at, zone).date() if first else None
    return {"last": last, "due": inventory_due(last_on, _today(clinic), started_on=started_on)}


@allow(Perm.VIEW_LEDGER)
def home(request: HttpRequest) -> HttpResponse:
    clinic = _clinic(request)
    rec = summary(clinic)
    recent = queries.entries(clinic).order_by("-pk")[:12]
    return render(request, "inventory/home.html", {
        "balances": rec.balances, "status": inventory_status(clinic), "discrepancies": rec.open_discrepancies,
        "failing": rec.failing, "opened_without_session": rec.opened_without_session, "recent": recent,
        "no_draw_count": rec.no_draw, "open_draws_count": rec.open_draws,
        "infused_without_draw": list(infused_without_draw(clinic).select_related("patient").order_by("-started_at")[:5]),
        "open_draws": list(open_draws(clinic, ledger_policy(clinic).reconciliation_tolerance_mg)[:5]),
        "today": _today(clinic), "can_handle": can(request, Perm.HANDLE_KETAMINE), "is_officer": can(request, Perm.KEEP_LEDGER),
    })


@allow(Perm.VIEW_LEDGER)
def lots(request: HttpRequest) -> HttpResponse:
    rows = Lot.objects.in_clinic(_clinic(request)).select_related("product").order_by("-expires_on")
    return render(request, "inventory/lots.html", {"lots": rows, "today": _today(_clinic(request))})


@page(Perm.VIEW_LEDGER, Lot)
def lot(request: HttpRequest, the_lot: Lot) -> HttpResponse:
    clinic = _clinic(request)
    rows = list(queries.entries(clinic).filter(lot=the_lot))
    audit_read(request, "ledger_lot_view", obj=the_lot, lot=the_lot.lot_number)
    return render(request, "inventory/lot.html", {
        "lot": the_lot, "rows": rows, "summary": lot_summary(the_lot, rows),
        "balances": queries.balances(clinic, lot=the_lot, include_empty=True),
        "containers": the_lot.containers.select_related("location").order_by("code"), "today": _today(clinic),
        "printed_at": timezone.now(),
    })


@page(Perm.VIEW_LEDGER, LedgerEntry)
def entry(request: HttpRequest, the_entry: LedgerEntry) -> HttpResponse:
    clinic = _clinic(request)
    if the_entry.session_id:
        audit_read(request, "ledger_entry_view", patient=the_entry.session.patient_id, obj=the_entry)
    local = timezone.localtime(the_entry.at, ZoneInfo(clinic.time_zone)).date()
    ml, mg = queries.in_force(the_entry)
    return render(request, "inventory/entry.html", {
        "e": the_entry, "in_force_ml": ml, "in_force_mg": mg,
        "corrections": the_entry.corrections.select_related("actor").order_by("pk"),
        "kept_until": retained_until(local, retention_years=ledger_policy(clinic).retention_years),
        "count": getattr(the_entry, "count", None), "is_officer": can(request, Perm.KEEP_LEDGER),
        "correctable": the_entry.kind not in (EntryKind.COUNT, EntryKind.CORRECTION),
    })


@page(Perm.VIEW_LEDGER, InfusionSession)
def session(request: HttpRequest, the_session: InfusionSession) -> HttpResponse:
    clinic = _clinic(request)
    audit_read(request, "ledger_session_view", patient=the_session.patient_id, obj=the_session)
    return render(request, "inventory/session.html", {
        "s": the_session, "rows": queries.entries(clinic).filter(session=the_session),
        "summary": session_summary(the_session, ledger_policy(clinic).reconciliation_tolerance_mg),
        "can_handle": can(request, Perm.HANDLE_KETAMINE),
    })


@allow(Perm.VIEW_LEDGER)
def discrepancies(request: HttpRequest) -> HttpResponse:
    rows = (Discrepancy.objects.in_clinic(_clinic(request))
            .select_related("lot__product", "location", "count__counted_by", "resolution__resolved_by").order_by("-opened_at"))
    return render(request, "inventory/discrepancies.html", {"rows": rows, "is_officer": can(request, Perm.KEEP_LEDGER)})


def _dates(request: HttpRequest) -> tuple[date | None, date | None]:
    values = []
    for key in ("start", "end"):
        raw = request.GET.get(key, "").strip()
        values.append(date.fromisoformat(raw) if raw else None)
    return values[0], values[1]


def _csv(table: reports.Table, clinic: Any) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{clinic.slug}-ledger-{table.slug}.csv"'
    writer = csv.writer(response)
    for row in reports.csv_rows(table):
        writer.writerow(row)
    return response


@allow(Perm.VIEW_LEDGER)
def reports_index(request: HttpRequest) -> HttpResponse:
    return render(request, "inventory/reports.html", {"reports": reports.REPORTS})


@allow(Perm.VIEW_LEDGER)
def report(request: HttpRequest, slug: str) -> HttpResponse:
    clinic = _clinic(request)
    try:
        start, end = _dates(request)
    except ValueError:
        messages.error(request, "Dates must be written YYYY-MM-DD.")
        return render(request, "inventory/reports.html", {"reports": reports.REPORTS}, status=400)
    if start and end and start > end:
        messages.error(request, f"The start date {start} is after the end date {end}: no period runs backwards. "
                                "Swap the dates to cover that period.")
        return render(request, "inventory/reports.html", {"reports": reports.REPORTS}, status=400)
    table = reports.REPORTS[slug](clinic, start, end)
    as_csv = request.GET.get("format") == "csv"
    if table.patient_data:
        audit_read(request, "ledger_report_export" if as_csv else "ledger_report_view", report=slug, rows=len(table.rows))
    if as_csv:
        return _csv(table, clinic)
    return render(request, "inventory/report.html", {"table": table, "start": start, "end": end, "printed_at": timezone.now()})


@allow(Perm.VIEW_LEDGER)
def reconciliation(request: HttpRequest) -> HttpResponse:
    clinic = _clinic(request)
    rec = reconcile(clinic)
    table = reports.reconciliation_table(rec, clinic)
    audit_read(request, "ledger_report_export" if request.GET.get("format") == "csv" else "ledger_report_view",
          report="reconciliation", rows=len(table.rows))
    if request.GET.get("format") == "csv":
        return _csv(table, clinic)
    return render(request, "inventory/reconciliation.html", {"rec": rec, "table": table, "printed_at": timezone.now(),
                  "opened_count": len(rec.opened_without_session) + len(rec.draws_without_session)})


@allow(Perm.VIEW_LEDGER)
def inventories(request: HttpRequest) -> HttpResponse:
    clinic = _clinic(request)
    rows = Inventory.objects.in_clinic(clinic).select_related("taken_by").order_by("-taken_at")
    return render(request, "inventory/inventories.html", {"rows": rows, "status": inventory_status(clinic),
                                                          "is_officer": can(request, Perm.KEEP_LEDGER)})


@page(Perm.VIEW_LEDGER, Inventory)
def inventory_detail(request: HttpRequest, the_inventory: Inventory) -> HttpResponse:
    clinic = _clinic(request)
    table = reports.inventory_table(the_inventory)
    if request.GET.get("format") == "csv":
        return _csv(table, clinic)
    return render(request, "inventory/report.html", {"table": table, "printed_at": timezone.now(), "inventory": the_inventory})


@allow(Perm.KEEP_LEDGER)
def inventory_new(request: HttpRequest) -> HttpResponse:
    from .views_inventory import take_inventory_page

    return take_inventory_page(request)


@allow(Perm.KEEP_LEDGER)
def setup(request: HttpRequest) -> HttpResponse:
    from .views_setup import setup_page

    return setup_page(request)

