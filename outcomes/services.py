"""The outcomes app's writes: the research export (files written, and its audit events)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import transaction

from audit import services as audit

from .rows import ExportRows, Filters, build_rows
from .tables import FORMATS, write_table


class ExportError(ValueError):
    """Bad input for an export: nothing was written."""


def export_research(*, out_dir: Path, clinics: list[Any], fmt: str = "csv", filters: Filters = Filters(),  # noqa: B008
                    by: Any) -> ExportRows:
    """Write courses, assessments and infusions (issue 11, Safe Harbor) and audit the export per clinic."""
    if fmt not in FORMATS:
        raise ExportError(f"--format must be one of {', '.join(FORMATS)} (got {fmt!r}).")
    if out_dir.exists() and not out_dir.is_dir():
        raise ExportError(f"{out_dir} exists and is not a directory.")
    rows = build_rows(clinics, filters)
    out_dir.mkdir(parents=True, exist_ok=True)
    with transaction.atomic():
        for clinic in clinics:
            audit.record(action="research_export", by=by, clinic=clinic,
                         detail={"format": fmt, "courses": len(rows.courses), "assessments": len(rows.assessments),
                                 "infusions": len(rows.infusions), "clinics": len(clinics)})
        for table in ("courses", "assessments", "infusions"):
            write_table(out_dir, table, getattr(rows, table), fmt)
    return rows
