"""Run the demo's past infusions through the services, and start DEMO-0001's session in progress now.

Every step goes through the same services as the chair (back-filled with `at`): check-in with
weight and baseline, the dose verified by a second nurse, vitals every 10 min while infusing
and every 15 min after, alerts acknowledged, CADSS, side effects, discharge and signatures.
"""

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from accounts.choices import Role
from accounts.demo import DemoContext, DemoPatient
from alerts import services as alerts

from . import services
from .choices import SessionState

RUN_MINUTES = 130  # from booked start to co-sign: a past session needs this much before now
ALDRETE = {"activity": 2, "respiration": 2, "circulation": 2, "consciousness": 2, "spo2": 2}
ACK_NOTES = ("Rechecked after 5 min; settled.", "Reassured the patient; reading repeated.", "Prescriber informed; observed.")


def build(ctx: DemoContext) -> None:
    second = ctx.second_user(Role.NURSE)
    for dp in ctx.by_stage("mid_course", "finished", "follow_up"):
        for session in dp.sessions:
            if session.state == SessionState.SCHEDULED and session.scheduled_start + timedelta(minutes=RUN_MINUTES) <= ctx.now:
                _run_past(ctx, dp, session, second)
    demo = ctx.mrn("DEMO-0001")
    current = next((s for s in demo.sessions if abs(s.scheduled_start - ctx.now) < timedelta(hours=1)), None)
    if current is not None and current.state == SessionState.SCHEDULED:
        _start_now(ctx, current, second)


def _checkin(ctx: DemoContext, session: Any, at: datetime, baseline: dict[str, Any]) -> Any:
    patient = session.patient
    weight = Decimal(patient.weight_kg or 75) + Decimal(ctx.rng.randint(-5, 5)) / 10
    waivers = {key: "Given on paper at the front desk" for key in _possible_due_keys(session)}
    return services.check_in(
        session=session, weight_kg=weight, identity_confirmed=True, consent_current=True,
        escort_name=patient.escort_name or "Family member", escort_phone=patient.escort_phone or "555-0100",
        pregnancy_test="negative" if services.pregnancy_test_required(session) else "not_applicable",
        baseline=baseline, waivers=waivers, at=at, by=ctx.users[Role.NURSE])


def _possible_due_keys(session: Any) -> list[str]:
    """Every assessment key that could be due before this infusion (a superset; the service checks what is due)."""
    points = session.course.protocol_snapshot.get("assessment_points", [])
    return [f"{p['key']}_{n}_{i}" for p in points for i in p.get("instruments", []) for n in (0, session.number)]


def _reading(ctx: DemoContext, base: tuple[int, int, int], minute: int, rise: bool) -> dict[str, Any]:
    """A plausible reading: BP rises towards 40 min into the infusion (Yale 2024: +16/+11 on average)."""
    sbp, dbp, hr = base
    peak = max(0.0, 1 - abs(minute - 40) / 40) if rise else 0.0
    return {"systolic_mmhg": sbp + int(16 * peak) + ctx.rng.randint(-4, 4),
            "diastolic_mmhg": dbp + int(11 * peak) + ctx.rng.randint(-3, 3),
            "heart_rate_bpm": hr + ctx.rng.randint(-4, 6), "spo2_pct": str(ctx.rng.choice((96, 97, 98, 99))),
            "resp_rate_per_min": ctx.rng.randint(12, 18)}


def _run_past(ctx: DemoContext, dp: DemoPatient, session: Any, second: Any) -> None:
    nurse, t = ctx.users[Role.NURSE], session.scheduled_start
    base = (ctx.rng.randint(112, 138), ctx.rng.randint(70, 86), ctx.rng.randint(62, 84))
    session = _checkin(ctx, session, t, _reading(ctx, base, -10, False))
    session = services.verify_dose(session=session, total_mg=session.total_mg, rate_ml_per_h=session.rate_ml_per_h,
                                   verifier=second.username, verifier_password=ctx.passwords[second.username],
                                   at=t + timedelta(minutes=4), by=nurse)
    _draw(ctx, session, t + timedelta(minutes=6))
    services.start(session=session, at=t + timedelta(minutes=8), by=nurse)
    early = ctx.rng.random() < 0.04
    end = t + timedelta(minutes=30 if early else 48)
    if early:
        services.stop_early(session=session, reason="Nausea; patient asked to stop", at=end, by=nurse)
    else:
        services.stop_infusion(session=session, at=end, by=nurse)
    readings = [(t + timedelta(minutes=8 + m), _reading(ctx, base, m, True)) for m in range(0, 41 if not early else 22, 10)]
    readings += [(end + timedelta(minutes=m), _reading(ctx, base, 60, False)) for m in (15, 30, 45, 60)]
    if ctx.rng.random() < 0.12:  # the occasional hypertensive peak around 40 min (0.98 % severe in the Yale series)
        readings.append((t + timedelta(minutes=46), {"systolic_mmhg": 182, "diastolic_mmhg": 104, "heart_rate_bpm": 92}))
    _, raised = services.record_vitals_batch(session=session, readings=sorted(readings, key=lambda r: r[0]), by=nurse)
    for alert in raised:
        alerts.acknowledge_alert(alert=alert, action_note=ctx.rng.choice(ACK_NOTES), by=nurse,
                                 at=alert.raised_at + timedelta(minutes=3))
    _after(ctx, session, end, early)


def _after(ctx: DemoContext, session: Any, end: datetime, early: bool) -> None:
    nurse = ctx.users[Role.NURSE]
    dissociation = [ctx.rng.choice((0, 0, 0, 1, 1, 2)) for _ in range(23)]
    services.record_cadss(session=session, answers=dissociation, at=end + timedelta(minutes=10), by=nurse)
    effects = ["nausea"] if early else ctx.rng.sample(["dizziness", "blurred_vision", "drowsiness", "nausea"], ctx.rng.randint(0, 2))
    if effects:
        services.record_side_effects(session=session, items=effects, at=end + timedelta(minutes=20), by=nurse)
    if early:
        services.record_adverse_event(session=session, by=nurse, at=end + timedelta(minutes=5), values={
            "description": "Nausea during the infusion", "severity": "mild", "serious": False, "relatedness": "probable",
            "action_taken": "stopped", "outcome": "resolved", "onset_at": end - timedelta(minutes=5)})
    services.discharge_patient(session=session, item_scores=ALDRETE, escort_confirmed=True,
                               at=end + timedelta(minutes=65), by=nurse)
    services.sign_session(session=session, at=end + timedelta(minutes=70), by=nurse)
    services.cosign_session(session=session, at=end + timedelta(minutes=75), by=ctx.users[Role.PRESCRIBER])


def _draw(ctx: DemoContext, session: Any, at: datetime) -> None:
    """Let the ledger draw the verified dose before the start (a start needs it: ADR 0015)."""
    for draw in ctx.before_start:
        draw(session, at)


def _start_now(ctx: DemoContext, session: Any, second: Any) -> None:
    """DEMO-0001: checked in 20 min ago, infusing since 15 min ago, one typed reading (interop adds a monitor one)."""
    nurse, now = ctx.users[Role.NURSE], ctx.now.replace(microsecond=0)
    checked = min(session.scheduled_start, now - timedelta(minutes=20))
    session = _checkin(ctx, session, checked, {"systolic_mmhg": 126, "diastolic_mmhg": 80, "heart_rate_bpm": 72,
                                               "spo2_pct": "98", "resp_rate_per_min": 14})
    session = services.verify_dose(session=session, total_mg=session.total_mg, rate_ml_per_h=session.rate_ml_per_h,
                                   verifier=second.username, verifier_password=ctx.passwords[second.username],
                                   at=now - timedelta(minutes=17), by=nurse)
    _draw(ctx, session, now - timedelta(minutes=16))
    services.start(session=session, at=now - timedelta(minutes=15), by=nurse)
    services.record_vitals(session=session, values={"systolic_mmhg": 131, "diastolic_mmhg": 84, "heart_rate_bpm": 78,
                                                    "spo2_pct": "98", "resp_rate_per_min": 15},
                           measured_at=now - timedelta(minutes=15), by=nurse)
