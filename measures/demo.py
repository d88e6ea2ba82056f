"""Demo questionnaires: synthetic score trajectories along each course's assessment points.

Responders fall by 40-60% from their course baseline; non-responders stay within 15% and
never drop 10 PCL-5 points. One follow-up responder loses response at the 1-month point.
Exactly one mid-course patient answers PHQ-9 item 9 above 0, which raises the one open
suicide-risk alert. Some due items are left unanswered so the dashboard's list is not empty.
"""

import math
from datetime import datetime, timedelta
from typing import Any

from accounts.choices import Role
from accounts.demo import DemoContext, DemoPatient
from clinical.assessment_schedule import Slot, SlotStatus
from clinical.instruments import INSTRUMENTS

from . import queries, services

BASELINE_RANGES = {"pcl5": (44, 62), "phq9": (13, 21), "gad7": (10, 17), "iesr": (40, 65)}
LEAVE_OPEN = 0.45  # share of due items left for the dashboard
CSSRS_ALL_NO = [0, 0, None, None, None, 0, None]


def build(ctx: DemoContext) -> None:
    nurse = ctx.users[Role.NURSE]
    in_course = ctx.by_stage("mid_course", "finished", "follow_up")
    loser = next((dp for dp in ctx.by_stage("follow_up") if dp.responder and _past_one_month(ctx, dp)), None)
    risk = next((dp for dp in ctx.by_stage("mid_course") if dp.patient.mrn != "DEMO-0001"), None)
    for dp in in_course:
        if dp.course is not None:
            _course(ctx, dp, nurse, loses_response=dp is loser)
    for dp in ctx.by_stage("eligible", "ineligible"):
        _screening_scores(ctx, dp, nurse)
    if risk is not None:
        _risk_answer(ctx, risk, nurse)


def _past_one_month(ctx: DemoContext, dp: DemoPatient) -> bool:
    return bool(dp.sessions) and dp.sessions[-1].scheduled_start < ctx.now - timedelta(days=32)


def _course(ctx: DemoContext, dp: DemoPatient, by: Any, *, loses_response: bool) -> None:
    baselines = {i: ctx.rng.randint(*r) for i, r in BASELINE_RANGES.items()}
    course = type(dp.course).objects.get(pk=dp.course.pk)
    for slot in queries.course_slots(course, ctx.now):
        if slot.status is SlotStatus.UPCOMING:
            continue
        if slot.is_open and ctx.rng.random() < LEAVE_OPEN:
            continue  # still due: shows on the dashboard
        at = _time_in_window(ctx, slot)
        if at is None:
            continue
        items = _items(ctx, slot, baselines, _factor(ctx, dp, slot, at, loses_response), dp.responder)
        services.record_assessment(patient=dp.patient, instrument=slot.instrument, items=items, assessed_at=at,
                                   course=course, point_key=slot.point_key, occurrence=slot.occurrence, by=by)


def _time_in_window(ctx: DemoContext, slot: Slot) -> datetime | None:
    span = slot.due_by - slot.opens_at
    at = slot.opens_at + span * (0.05 + 0.5 * ctx.rng.random())
    latest = ctx.now - timedelta(minutes=10)
    if at > latest:
        at = latest - timedelta(minutes=ctx.rng.randint(0, 90))
    return at.replace(microsecond=0) if at >= slot.opens_at else None


def _infusions_before(dp: DemoPatient, at: datetime) -> int:
    return sum(1 for s in dp.sessions if s.scheduled_start < at)


def _factor(ctx: DemoContext, dp: DemoPatient, slot: Slot, at: datetime, loses_response: bool) -> float:
    """Share of the baseline total left at this point of the course."""
    if slot.point_key == "baseline":
        return 1.0
    if loses_response and slot.point_key in ("follow_1m", "follow_3m"):
        return 0.9 + 0.05 * ctx.rng.random()
    progress = min(_infusions_before(dp, at), 6) / 6
    if dp.responder:
        return 1 - (0.42 + 0.18 * ctx.rng.random()) * progress
    return 1 - 0.08 * progress + 0.05 * (ctx.rng.random() - 0.5)


def _total(instrument: str, baseline: int, factor: float, responder: bool) -> int:
    total = round(baseline * factor)
    if not responder:  # a non-responder never meets response: < 30% and < 10 PCL-5 points down
        total = max(total, math.floor(baseline * 0.85), baseline - 8 if instrument == "pcl5" else 0)
    return min(total, baseline + 4)


def _items(ctx: DemoContext, slot: Slot, baselines: dict[str, int], factor: float,
           responder: bool) -> list[int | None]:
    if slot.instrument == "cssrs":
        return list(CSSRS_ALL_NO)
    total = _total(slot.instrument, baselines[slot.instrument], factor, responder)
    return spread(ctx, slot.instrument, total)


def spread(ctx: DemoContext, instrument_id: str, total: int, item9: int = 0) -> list[int | None]:
    """Item values adding up to `total` (PHQ-9: item 9 fixed, item 10 recorded apart)."""
    instrument = INSTRUMENTS[instrument_id]
    counts = [0] * len(instrument.items)
    free = [i for i, item in enumerate(instrument.items) if item.scored and item.id != "phq9-9"]
    remaining = total - item9
    while remaining > 0:
        open_items = [i for i in free if counts[i] < instrument.items[i].max_value]
        pick = ctx.rng.choice(open_items)
        counts[pick] += 1
        remaining -= 1
    values: list[int | None] = list(counts)
    if instrument_id == "phq9":
        values[8] = item9
        values[9] = ctx.rng.randint(1, 2)
    return values


def _screening_scores(ctx: DemoContext, dp: DemoPatient, by: Any) -> None:
    at = (ctx.now - timedelta(days=ctx.rng.randint(3, 20), hours=ctx.rng.randint(0, 8))).replace(microsecond=0)
    for instrument in ("pcl5", "phq9"):
        total = ctx.rng.randint(*BASELINE_RANGES[instrument])
        services.record_assessment(patient=dp.patient, instrument=instrument, items=spread(ctx, instrument, total),
                                   assessed_at=at, by=by)
        at += timedelta(minutes=7)


def _risk_answer(ctx: DemoContext, dp: DemoPatient, by: Any) -> None:
    """The one positive item 9, answered two hours ago for the next pre-infusion point if it is open."""
    course = type(dp.course).objects.get(pk=dp.course.pk)
    slot = next((s for s in queries.course_slots(course, ctx.now) if s.is_open and s.instrument == "phq9"), None)
    total = ctx.rng.randint(*BASELINE_RANGES["phq9"]) - 2
    services.record_assessment(
        patient=dp.patient, instrument="phq9", items=spread(ctx, "phq9", total, item9=1),
        assessed_at=(ctx.now - timedelta(hours=2)).replace(microsecond=0), course=course,
        point_key=slot.point_key if slot else "", occurrence=slot.occurrence if slot else 0, by=by)
