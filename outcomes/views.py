"""The clinic outcome report page (issue 11): figures with CIs, charts, safety and the trial table."""

from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe

from accounts.access import ClinicRequest, allow
from accounts.permissions import Perm
from audit import services as audit
from courses.models import Protocol

from .benchmarks import YALE
from .page import FilterError, figures, read_filters
from .rows import Filters
from .text import days_text, mean_text, per_100, proportion_text


@allow(Perm.VIEW_OUTCOMES)
def report(request: ClinicRequest) -> HttpResponse:
    clinic = request.clinic
    protocols = list(Protocol.objects.in_clinic(clinic).order_by("name"))
    error = ""
    try:
        filters = read_filters(request.GET, {p.pk for p in protocols})
    except FilterError as exc:
        error, filters = str(exc), Filters()
    page = figures(clinic, filters)
    with transaction.atomic():
        audit.record(action="outcome_report_view", by=request.user, clinic=clinic,
                     detail={"courses": page.report["courses"]["started"], "protocol": filters.protocol_id,
                             "from": str(filters.started_from or ""), "to": str(filters.started_to or "")})
    r = page.report
    return render(request, "outcomes/report.html", {
        "r": r, "defs": r["definitions"], "protocols": protocols, "filters": filters, "error": error,
        "print_view": request.GET.get("print") == "1", "query": request.GET.urlencode(),
        "km_svg": mark_safe(page.km_svg), "trajectory_svg": mark_safe(page.trajectory_svg),  # noqa: S308 - escaped SVG
        "clusters_svg": mark_safe(page.clusters_svg), "trials": page.trials, "yale": YALE,  # noqa: S308
        "text": {
            "response_itt": proportion_text(r["response_end_of_course"]["itt"]),
            "response_completers": proportion_text(r["response_end_of_course"]["completers"]),
            "remission_itt": proportion_text(r["remission_end_of_course"]["itt"]),
            "remission_completers": proportion_text(r["remission_end_of_course"]["completers"]),
            "change": mean_text(r["change_end_of_course"]), "change_24h": mean_text(r["change_24h"]),
            "durability": days_text(r["durability"]), "first_response": days_text(r["time_to_first_response"]),
            "clusters": {k: mean_text(v) for k, v in r["clusters_end_of_course"].items()},
            "followup": {k: proportion_text(v) for k, v in r["followup_completeness"].items()},
            "sbp_rise": mean_text(r["safety"]["sbp_rise"]), "dbp_rise": mean_text(r["safety"]["dbp_rise"]),
            "surges_first_three": proportion_text(r["safety"]["surges_in_first_three"]),
            "secondary": {k: {"response": proportion_text(v["response_end_of_course"]["itt"]),
                              "remission": proportion_text(v["remission_end_of_course"]["itt"]),
                              "change": mean_text(v["change_end_of_course"])} for k, v in r["secondary"].items()},
        },
        "safety_rows": [(label, per_100(r["safety"][key]), yale) for label, key, yale in (
            ("Blood-pressure surge (SBP >= 180 or DBP >= 110)", "bp_surge_per_100", "0.98 (severe hypertension)"),
            ("Adverse events", "ae_per_100", "—"), ("Serious adverse events", "serious_ae_per_100", "—"),
            ("Paused", "paused_per_100", "—"), ("Stopped early", "stopped_early_per_100", "—"),
            ("Transferred to emergency care", "transferred_per_100", "—"))],
    })
