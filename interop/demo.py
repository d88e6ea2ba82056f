"""The demo's monitor feed: one bedside-monitor message filed for DEMO-0001's session in progress."""

from datetime import timedelta
from decimal import Decimal

from accounts.demo import DemoContext
from clinical.hl7.samples import SampleStyle, SampleVitals, sample_oru
from infusions.choices import SessionState

from . import services


def build(ctx: DemoContext) -> None:
    services.default_sender(ctx.clinic, at=ctx.now, by="demo")  # the simulated monitors `ketacare hl7-sample` writes
    demo = ctx.mrn("DEMO-0001")
    session = next((s for s in demo.sessions if abs(s.scheduled_start - ctx.now) < timedelta(hours=1)), None)
    if session is None:
        return
    session.refresh_from_db()
    if session.state != SessionState.INFUSING:
        return
    now = ctx.now.replace(microsecond=0)
    raw = sample_oru(SampleStyle.PCD01_MDC, mrn=session.patient.mrn, chair=session.chair.name, control_id="DEMO-MON-0001",
                     observed_at=now - timedelta(minutes=5), vitals=SampleVitals(systolic_mmhg=Decimal(138),
                                                                                 diastolic_mmhg=Decimal(88)))
    services.file_hl7_message(clinic=ctx.clinic, raw=raw, received_at=now - timedelta(minutes=5))
