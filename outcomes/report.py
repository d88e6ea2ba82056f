"""Run the outcome engine on the database (through an in-memory snapshot) or on export directories."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from clinical.outcomes_report import ReportDefinitions

from . import engine
from .rows import ExportRows, Filters, build_rows
from .tables import TABLES, arrow_table


def clinic_definitions(clinic: Any | None, **overrides: Any) -> ReportDefinitions:
    """The clinic's Policy values (the same settings its charts use), with any explicit overrides."""
    base = ReportDefinitions()
    if clinic is not None:
        from measures.policy import outcome_definitions

        defs = outcome_definitions(clinic)
        base = ReportDefinitions(response_pct=defs.response_pct_reduction, response_points=defs.response_pcl5_points,
                                 remission_cutpoint=defs.remission_cutpoint, min_n=defs.min_n_to_compare)
    values = {k: getattr(base, k) for k in ("response_pct", "response_points", "remission_cutpoint", "min_n")}
    values.update(overrides)
    return ReportDefinitions(**values)


def snapshot(rows: ExportRows) -> Any:
    """An engine connection over the rows as Arrow tables (the database read once, de-identified)."""
    return engine.open_tables({t: arrow_table(t, getattr(rows, t)) for t in TABLES})


def from_database(clinics: list[Any], defs: ReportDefinitions, filters: Filters = Filters(),  # noqa: B008
                  curve: bool = False) -> dict[str, Any]:
    """The report over the clinics' courses in the database."""
    return engine.compute(snapshot(build_rows(clinics, filters)), defs, curve=curve)


def from_exports(directories: Sequence[Path], defs: ReportDefinitions, curve: bool = False) -> dict[str, Any]:
    """The report over one or more export directories pooled together."""
    return engine.compute(engine.open_exports(list(directories)), defs, curve=curve)
