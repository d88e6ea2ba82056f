"""The patient's questionnaire page, opened from a signed single-use link; no account needed."""

from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from accounts.access import public
from accounts.policy import policy_value
from clinical.instruments import get_instrument
from toolkit.errors import ServiceError

from . import queries, services
from .choices import SUICIDE_RISK, short_name
from .questionnaire import item_views, parse_answers, values_by_id

# Forged or unknown: 404; expired or already used: 410 Gone.
STATUS = {queries.LinkState.FORGED: 404, queries.LinkState.EXPIRED: 410, queries.LinkState.USED: 410}


def _crisis(clinic: Any) -> str:
    return str(policy_value(clinic, "measures_crisis_text"))


def _problem(request: HttpRequest, state: queries.LinkState, link: Any) -> HttpResponse:
    risk = link is not None and link.assessment_id and SUICIDE_RISK in link.assessment.result.get("flags", [])
    return render(request, "measures/link_problem.html", {
        "state": state.value, "clinic": link.clinic if link else None,
        "crisis_text": _crisis(link.clinic) if risk else "",
    }, status=STATUS[state])


def _page(request: HttpRequest, link: Any, token: str, values: dict[str, Any], errors: dict[str, str],
          message: str = "", status: int = 200) -> HttpResponse:
    instrument = get_instrument(link.instrument)
    wording = queries.wording_for(link.clinic, link.instrument)
    return render(request, "measures/answer.html", {
        "link": link, "clinic": link.clinic, "token": token, "short": short_name(link.instrument),
        "items": item_views(instrument, wording.items if wording else None, values, errors),
        "wording": wording, "message": message, "error_count": len(errors) + (1 if message else 0),
    }, status=status)


def _missing_errors(instrument: Any, missing: tuple[str, ...]) -> dict[str, str]:
    return {item_id: f"Question {instrument.position(item_id) + 1} needs an answer." for item_id in missing}


@public
@never_cache
def answer(request: HttpRequest, token: str) -> HttpResponse:
    """Show the one questionnaire of the link; on a suicide-risk answer show the clinic's crisis text at once."""
    state, link = queries.resolve_link(token, datetime.now(UTC))
    if state is not queries.LinkState.OK or link is None:
        return _problem(request, state, link)
    if request.method != "POST":
        try:
            services.open_link(token=token)
        except services.LinkRefused as exc:
            return _problem(request, exc.state, link)
        return _page(request, link, token, {}, {})
    return _submit(request, link, token)


def _submit(request: HttpRequest, link: Any, token: str) -> HttpResponse:
    instrument = get_instrument(link.instrument)
    answers, errors = parse_answers(instrument, request.POST)
    values = values_by_id(instrument, answers)
    if errors:
        return _page(request, link, token, values, errors, status=400)
    try:
        # A patient answers every question asked (skip logic aside); blanks are sent back, not stored.
        missing = services.score_items(link.clinic, link.instrument, answers).missing
        if missing:
            return _page(request, link, token, values, _missing_errors(instrument, missing), status=400)
        assessment = services.submit_link(token=token, items=answers)
    except services.LinkRefused as exc:
        return _problem(request, exc.state, link)
    except ServiceError as exc:
        return _page(request, link, token, values, {}, message=exc.message, status=400)
    risk = SUICIDE_RISK in assessment.result["flags"]
    return render(request, "measures/answer_done.html", {
        "clinic": link.clinic, "short": short_name(link.instrument), "risk": risk,
        "crisis_text": _crisis(link.clinic) if risk else "",
    })
