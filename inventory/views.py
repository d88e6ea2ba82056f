"""Ledger pages that read: home, lot history, entry detail, a session's ledger, reports, inventories."""

import csv
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from audit import services as audit
from clinical.ledger import inventory_due, retained_until
from infusions.models import InfusionSession
from ketacare.access import allow, role_allowed
from ketacare.scoping import get_in_clinic

from . import queries, reports
from .choices import HANDLERS, OFFICER, READERS, EntryKind
from .models import Discrepancy, Inventory, LedgerEntry, Lot
from .policy import ledger_policy
from .reconciliation import reconcile
from .summaries import lot_summary, session_summary


def _clinic(request: HttpRequest) -> Any:
    return request.clinic  # type: ignore[attr-defined]


def _seen(request: HttpRequest, action: str, patient: Any = None, obj: Any = None, **detail: Any) -> None:
    """Audit a view of records that name patients."""
    with transaction.atomic():
        audit.record(action=action, by=request.user, clinic=_clinic(request), patient=patient, obj=obj, detail=detail)


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


@allow(*READERS)
def home(request: HttpRequest) -> HttpResponse:
    clinic = _clinic(request)
    rec = reconcile(clinic, check_integrity=False)
    recent = queries.entries(clinic).order_by("-pk")[:12]
    return render(request, "inventory/home.html", {
        "balances": rec.balances, "status": inventory_status(clinic), "discrepancies": rec.open_discrepancies,
        "failing": len(rec.failing), "opened_without_session": len(rec.opened_without_session), "recent": recent,
        "today": _today(clinic), "can_handle": role_allowed(request, HANDLERS), "is_officer": role_allowed(request, OFFICER),
    })


@allow(*READERS)
def lots(request: HttpRequest) -> HttpResponse:
    rows = Lot.objects.in_clinic(_clinic(request)).select_related("product").order_by("-expires_on")
    return render(request, "inventory/lots.html", {"lots": rows, "today": _today(_clinic(request))})


@allow(*READERS)
def lot(request: HttpRequest, lot_id: int) -> HttpResponse:
    clinic = _clinic(request)
    the_lot = get_in_clinic(Lot, clinic, pk=lot_id)
    rows = list(queries.entries(clinic).filter(lot=the_lot))
    _seen(request, "ledger_lot_view", obj=the_lot, lot=the_lot.lot_number)
    return render(request, "inventory/lot.html", {
        "lot": the_lot, "rows": rows, "summary": lot_summary(the_lot, rows),
        "balances": queries.balances(clinic, lot=the_lot, include_empty=True),
        "containers": the_lot.containers.select_related("location").order_by("code"), "today": _today(clinic),
        "printed_at": timezone.now(),
    })


@allow(*READERS)
def entry(request: HttpRequest, entry_id: int) -> HttpResponse:
    clinic = _clinic(request)
    the_entry = get_in_clinic(LedgerEntry, clinic, pk=entry_id)
    if the_entry.session_id:
        _seen(request, "ledger_entry_view", patient=the_entry.session.patient_id, obj=the_entry)
    local = timezone.localtime(the_entry.at, ZoneInfo(clinic.time_zone)).date()
    ml, mg = queries.in_force(the_entry)
    return render(request, "inventory/entry.html", {
        "e": the_entry, "in_force_ml": ml, "in_force_mg": mg,
        "corrections": the_entry.corrections.select_related("actor").order_by("pk"),
        "kept_until": retained_until(local, retention_years=ledger_policy(clinic).retention_years),
        "count": getattr(the_entry, "count", None), "is_officer": role_allowed(request, OFFICER),
        "correctable": the_entry.kind not in (EntryKind.COUNT, EntryKind.CORRECTION),
    })


@allow(*READERS)
def session(request: HttpRequest, session_id: int) -> HttpResponse:
    clinic = _clinic(request)
    the_session = get_in_clinic(InfusionSession, clinic, pk=session_id)
    _seen(request, "ledger_session_view", patient=the_session.patient_id, obj=the_session)
    return render(request, "inventory/session.html", {
        "s": the_session, "rows": queries.entries(clinic).filter(session=the_session),
        "summary": session_summary(the_session, ledger_policy(clinic).reconciliation_tolerance_mg),
        "can_handle": role_allowed(request, HANDLERS),
    })


@allow(*READERS)
def discrepancies(request: HttpRequest) -> HttpResponse:
    rows = (Discrepancy.objects.in_clinic(_clinic(request))
            .select_related("lot__product", "location", "count__counted_by", "resolution__resolved_by").order_by("-opened_at"))
    return render(request, "inventory/discrepancies.html", {"rows": rows, "is_officer": role_allowed(request, OFFICER)})


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


@allow(*READERS)
def reports_index(request: HttpRequest) -> HttpResponse:
    return render(request, "inventory/reports.html", {"reports": reports.REPORTS})


@allow(*READERS)
def report(request: HttpRequest, slug: str) -> HttpResponse:
    clinic = _clinic(request)
    try:
        start, end = _dates(request)
    except ValueError:
        messages.error(request, "Dates must be written YYYY-MM-DD.")
        return render(request, "inventory/reports.html", {"reports": reports.REPORTS}, status=400)
    table = reports.REPORTS[slug](clinic, start, end)
    as_csv = request.GET.get("format") == "csv"
    if table.patient_data:
        _seen(request, "ledger_report_export" if as_csv else "ledger_report_view", report=slug, rows=len(table.rows))
    if as_csv:
        return _csv(table, clinic)
    return render(request, "inventory/report.html", {"table": table, "start": start, "end": end, "printed_at": timezone.now()})


@allow(*READERS)
def reconciliation(request: HttpRequest) -> HttpResponse:
    clinic = _clinic(request)
    rec = reconcile(clinic)
    table = reports.reconciliation_table(rec, clinic)
    _seen(request, "ledger_report_export" if request.GET.get("format") == "csv" else "ledger_report_view",
          report="reconciliation", rows=len(table.rows))
    if request.GET.get("format") == "csv":
        return _csv(table, clinic)
    return render(request, "inventory/reconciliation.html", {"rec": rec, "table": table, "printed_at": timezone.now(),
                  "opened_count": len(rec.opened_without_session) + len(rec.draws_without_session)})


@allow(*READERS)
def inventories(request: HttpRequest) -> HttpResponse:
    clinic = _clinic(request)
    rows = Inventory.objects.in_clinic(clinic).select_related("taken_by").order_by("-taken_at")
    return render(request, "inventory/inventories.html", {"rows": rows, "status": inventory_status(clinic),
                                                          "is_officer": role_allowed(request, OFFICER)})


@allow(*READERS)
def inventory_detail(request: HttpRequest, inventory_id: int) -> HttpResponse:
    clinic = _clinic(request)
    the_inventory = get_in_clinic(Inventory, clinic, pk=inventory_id)
    table = reports.inventory_table(the_inventory)
    if request.GET.get("format") == "csv":
        return _csv(table, clinic)
    return render(request, "inventory/report.html", {"table": table, "printed_at": timezone.now(), "inventory": the_inventory})


@allow(*OFFICER)
def inventory_new(request: HttpRequest) -> HttpResponse:
    from .views_inventory import take_inventory_page

    return take_inventory_page(request)


@allow(*OFFICER)
def setup(request: HttpRequest) -> HttpResponse:
    from .views_setup import setup_page

    return setup_page(request)

