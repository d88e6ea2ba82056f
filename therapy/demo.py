"""Demo integration sessions: preparation before the first infusion and integration after some."""

from datetime import timedelta

from accounts.choices import Role
from accounts.demo import DemoContext

from . import services

MODALITIES = ["individual", "individual", "group", "cpt", "emdr"]


def build(ctx: DemoContext) -> None:
    therapist = ctx.users[Role.THERAPIST]
    for n, dp in enumerate(ctx.by_stage("mid_course", "finished", "follow_up")):
        past = [s for s in dp.sessions if s.scheduled_start < ctx.now - timedelta(hours=2)]
        if not past:
            continue
        services.record_session(patient=dp.patient, by=therapist, infusion_ids=[], values={
            "held_on": (past[0].scheduled_start - timedelta(days=2)).date(), "duration_min": 50,
            "modality": "individual", "timing": "preparation", "goals": "Prepare for the infusion experience; set intentions.",
            "note": "Synthetic note: reviewed expectations, safety plan and escort arrangements."})
        for s in past[1::2]:
            services.record_session(patient=dp.patient, by=therapist, infusion_ids=[s.pk], values={
                "held_on": (s.scheduled_start + timedelta(days=1)).date(), "duration_min": 50,
                "modality": MODALITIES[n % len(MODALITIES)], "timing": "integration",
                "goals": "Integrate insights from the infusion.", "note": "Synthetic note: discussed the session and next steps."})
