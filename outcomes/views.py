"""The clinic outcome report and the de-identified research export."""

import csv

from django.http import HttpResponse
from django.shortcuts import render

from accounts.permissions import Perm
from ketacare.access import ClinicRequest, allow, can
from ketacare.pages import audit_read

from . import queries
from .benchmarks import BENCHMARKS

EXPORT_FIELDS = ("pseudo_id", "status", "start_year", "age_band", "infusions", "baseline", "last", "last_day",
                 "change_pct", "responder", "remitted", "loss_day")


@allow(Perm.VIEW_OUTCOMES)
def report(request: ClinicRequest) -> HttpResponse:
    rows = queries.course_rows(request.clinic)
    audit_read(request, "outcome_report_view", courses=len(rows))
    return render(request, "outcomes/report.html", {
        "rows": rows, "summary": queries.clinic_summary(request.clinic, rows), "benchmarks": BENCHMARKS,
        "identified": can(request, Perm.VIEW_PATIENTS),
    })


@allow(Perm.VIEW_OUTCOMES)
def export(request: ClinicRequest) -> HttpResponse:
    """One row per course: no names, MRNs or dates; the year and days from the first infusion only."""
    rows = queries.course_rows(request.clinic)
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="ketacare-outcomes-deidentified.csv"'
    writer = csv.writer(response)
    writer.writerow(EXPORT_FIELDS)
    for r in rows:
        writer.writerow([getattr(r, f) for f in EXPORT_FIELDS])
    audit_read(request, "research_export", courses=len(rows))
    return response
