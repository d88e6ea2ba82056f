"""Demo protocols and course orders (scheduling/demo.py books their infusions)."""

from datetime import timedelta

from accounts.choices import Role
from accounts.demo import DemoContext

from . import services


def build(ctx: DemoContext) -> None:
    admin, prescriber = ctx.users[Role.CLINIC_ADMIN], ctx.users[Role.PRESCRIBER]
    ctx.protocol = services.save_protocol(clinic=ctx.clinic, by=admin, values={"name": "Induction 6 x 0.5 mg/kg (Feder 2021)"})
    services.save_protocol(clinic=ctx.clinic, by=admin, values={
        "name": "Induction 8 x twice weekly (Abdallah 2022)", "n_infusions": 8, "min_hours_between": 72, "max_span_days": 28})
    for dp in ctx.by_stage("mid_course", "finished", "follow_up"):
        signed_at = dp.patient.screenings.first().signed_at
        dp.course = services.order_course(patient=dp.patient, protocol=ctx.protocol, by=prescriber,
                                          at=signed_at + timedelta(hours=2))
    ctx.after.append(lambda: _finish_courses(ctx))


def _finish_courses(ctx: DemoContext) -> None:
    for dp in ctx.by_stage("finished", "follow_up"):
        dp.course.refresh_from_db()
        if dp.course.status == "active":
            services.end_course(course=dp.course, status="completed", by=ctx.users[Role.PRESCRIBER])
