"""Demo patients: synthetic names, histories and screenings at every stage."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from accounts.choices import Role
from accounts.demo import DemoContext, DemoPatient

from . import services

GIVEN = ["Avery", "Blake", "Casey", "Devon", "Emery", "Finley", "Gray", "Harper", "Indigo", "Jules", "Kai", "Lane",
         "Morgan", "Noel", "Oakley", "Parker", "Quinn", "Reese", "Sage", "Tatum", "Umber", "Vale", "Wren", "Xen",
         "Yael", "Zion", "Arden", "Briar", "Cove", "Dale", "Ellis", "Fern", "Glen", "Hollis", "Ira", "Jory", "Kit",
         "Lark", "Marlo", "Nico"]
FAMILY = ["Ashgrove", "Birchfield", "Copperly", "Dunmore", "Elmstead", "Foxley", "Glenwick", "Hartwell", "Ivybridge",
          "Juniper", "Kestrel", "Larkspur", "Millbrook", "Northcote", "Oakhurst", "Pinecrest", "Quarry", "Ravensworth",
          "Stonebeck", "Thornbury"]
# 40 patients: DEMO-0001 mid-course with a session in progress; the rest spread over the stages.
PLAN = (["mid_course"] * 8 + ["screening"] * 5 + ["eligible"] * 4 + ["ineligible"] + ["finished"] * 10 + ["follow_up"] * 12)
# The small demo (tests): every stage once, two mid-course (one in a session now, one with a risk answer).
PLAN_SMALL = ["mid_course", "mid_course", "screening", "eligible", "ineligible", "finished", "follow_up", "follow_up"]
TRAUMA = ["combat", "assault", "accident", "disaster", "childhood", "loss"]
MEDS = [("sertraline", "200 mg/day"), ("paroxetine", "40 mg/day"), ("venlafaxine", "225 mg/day"), ("prazosin", "10 mg/night")]
THERAPIES = ["CPT", "PE", "EMDR"]
ALLERGIES = [("penicillin", "Hives", "moderate"), ("codeine", "Nausea and vomiting", "mild"),
             ("midazolam", "Paradoxical agitation", "moderate"), ("latex", "Anaphylaxis", "severe")]
# How long before now each stage's screening was signed (before its first infusion).
_DAYS_BACK = {"eligible": 3, "ineligible": 5, "mid_course": 21, "finished": 45, "follow_up": 130}


def build(ctx: DemoContext) -> None:
    front, prescriber = ctx.users[Role.FRONT_DESK], ctx.users[Role.PRESCRIBER]
    for i, stage in enumerate(PLAN_SMALL if ctx.small else PLAN):
        patient = services.register_patient(clinic=ctx.clinic, by=front, values=_demographics(ctx, i))
        _history(ctx, patient, i, prescriber)
        responder = stage in ("finished", "follow_up", "mid_course") and ctx.rng.random() < 0.6
        if stage != "screening":
            contra = ["pregnancy"] if stage == "ineligible" else []
            services.screen_patient(patient=patient, contraindications=contra, justifications={},
                                    sign=stage != "ineligible", by=prescriber, at=ctx.now - timedelta(days=_DAYS_BACK[stage]))
        ctx.patients.append(DemoPatient(patient=patient, stage=stage, responder=responder))


def _demographics(ctx: DemoContext, i: int) -> dict[str, object]:
    sex = "female" if i % 2 else "male"
    height = Decimal(155 + ctx.rng.randint(0, 35))
    return {
        "mrn": f"DEMO-{i + 1:04d}", "given_name": GIVEN[i % len(GIVEN)], "family_name": FAMILY[(i * 7) % len(FAMILY)],
        "date_of_birth": date(1960 + ctx.rng.randint(0, 40), ctx.rng.randint(1, 12), ctx.rng.randint(1, 28)),
        "sex": sex, "height_cm": height, "weight_kg": Decimal(55 + ctx.rng.randint(0, 50)),
        "phone": f"+1 202 555 01{i % 100:02d}", "email": f"patient{i + 1}@example.invalid",
        "escort_name": f"{GIVEN[(i + 5) % len(GIVEN)]} {FAMILY[(i * 7) % len(FAMILY)]}", "escort_phone": f"+1 202 555 01{(i + 50) % 100:02d}",
        "diagnosis_code": "F43.12" if i % 5 else "F43.10", "referral_source": ctx.rng.choice(["VA clinic", "Primary care", "Self-referral", "Psychiatrist"]),
        "medical_history": "",
    }


def _history(ctx: DemoContext, patient: Any, i: int, by: Any) -> None:
    services.add_trauma_event(patient=patient, by=by, values={
        "kind": TRAUMA[i % len(TRAUMA)], "year": ctx.now.year - ctx.rng.randint(3, 20), "description": "Synthetic history."})
    drug, dose = MEDS[i % len(MEDS)]
    services.add_prior_treatment(patient=patient, by=by, values={
        "kind": "medication", "name": drug, "dose": dose, "weeks": 12, "adequate": True, "outcome": "none"})
    services.add_prior_treatment(patient=patient, by=by, values={
        "kind": "psychotherapy", "name": THERAPIES[i % 3], "dose": "", "weeks": 12, "adequate": True, "outcome": "partial"})
    services.add_current_medication(patient=patient, by=by, values={"name": drug, "dose": dose})
    if i % 3 == 0:  # every third patient has a drug allergy (no random draw: the rest of the demo stays as it was)
        substance, reaction, severity = ALLERGIES[(i // 3) % len(ALLERGIES)]
        services.add_allergy(patient=patient, by=by, values={"substance": substance, "reaction": reaction, "severity": severity})

