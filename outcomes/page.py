"""The outcome report page's figures: filters read from the query string, report, trial rows and charts."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from typing import Any

import lifelines  # noqa: F401 - loaded with the URLconf, so the first report after a start does not pay for it
import scipy.stats  # noqa: F401 - likewise (the t interval)

from clinical.outcomes_charts import change_bars, km_chart, trajectory_chart
from clinical.outcomes_report import ReportDefinitions

from . import engine
from .benchmarks import BENCHMARKS, TRIAL_MARKS
from .report import clinic_definitions, snapshot
from .rows import Filters, build_rows

TRAJECTORY_LABELS = (("baseline", "Baseline"), ("post_first_24h", "24 h"), ("end_of_course", "End of course"),
                     ("follow_1w", "1 week"), ("follow_1m", "1 month"), ("follow_3m", "3 months"))
CLUSTER_LABELS = (("B", "B intrusion"), ("C", "C avoidance"), ("D", "D mood/cognition"), ("E", "E arousal"))


class FilterError(ValueError):
    """A filter value the page cannot use: shown to the user, nothing computed."""


def _date(value: str, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise FilterError(f"{name} must be a date as YYYY-MM-DD (got {value[:20]!r}).") from exc


def read_filters(params: Any, protocol_ids: set[int]) -> Filters:
    """Protocol and first-infusion date range from GET parameters; bad values raise FilterError."""
    protocol = params.get("protocol", "")
    protocol_id = None
    if protocol:
        if not protocol.isdigit() or int(protocol) not in protocol_ids:
            raise FilterError("Choose one of the clinic's protocols.")
        protocol_id = int(protocol)
    start, end = _date(params.get("from", ""), "From"), _date(params.get("to", ""), "To")
    if start and end and start > end:
        raise FilterError("The date range ends before it starts.")
    return Filters(protocol_id, start, end)


@dataclass(frozen=True)
class PageFigures:
    report: dict[str, Any]
    pct_only: dict[str, Any]
    definitions: ReportDefinitions
    km_svg: str
    trajectory_svg: str
    clusters_svg: str
    trials: list[dict[str, str]]


def figures(clinic: Any, filters: Filters) -> PageFigures:
    """Read the clinic's rows once, then the report under its definitions and under Feder's (30% alone)."""
    defs = clinic_definitions(clinic)
    con = snapshot(build_rows([clinic], filters))
    report = engine.compute(con, defs, curve=True)
    pct_only = engine.response_and_durability(con, dataclasses.replace(defs, response_points=None))
    trials = [{"study": b.study, "design": b.design, "schedule": b.schedule, "outcome": b.outcome,
               "definition": b.clinic_definition, "clinic": b.clinic_figure(report, pct_only)} for b in BENCHMARKS]
    return PageFigures(
        report=report, pct_only=pct_only, definitions=defs,
        km_svg=km_chart(report["durability_curve"], TRIAL_MARKS,
                        "Durability: responders still responding (Kaplan-Meier, 95% band)"),
        trajectory_svg=trajectory_chart([(label, report["trajectory_pcl5"][key]) for key, label in TRAJECTORY_LABELS],
                                        "Mean PCL-5 (95% CI)"),
        clusters_svg=change_bars([(label, report["clusters_end_of_course"][key]) for key, label in CLUSTER_LABELS],
                                 "PCL-5 cluster change, baseline to end of course (95% CI)"),
        trials=trials,
    )
