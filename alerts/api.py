"""Alerts API: the clinic's open alerts and acknowledging one, through the same services as the pages."""

from datetime import datetime

from ninja import Field, Router, Schema

from accounts.access import ClinicRequest, api_allow
from accounts.pages import audit_read
from accounts.permissions import Perm
from toolkit.scoping import get_in_clinic

from . import services
from .models import Alert, AlertReview
from .queries import clinic_alerts

router = Router()


class AlertOut(Schema):
    id: int
    patient_id: int | None
    session_id: int | None
    kind: str
    level: str
    rule: str
    value: str
    threshold: str
    message: str
    raised_at: datetime
    acknowledged_at: datetime | None
    action_note: str


class AckIn(Schema):
    action_note: str = Field(max_length=4000)


class ReviewIn(Schema):
    decision: str = Field(max_length=16, description="proceed (the alert closes) or hold (it stays open)")
    reason: str = Field(max_length=4000)


class ReviewOut(Schema):
    id: int
    alert_id: int
    patient_id: int
    decision: str
    reason: str
    reviewed_by: str
    reviewed_at: datetime

    @staticmethod
    def resolve_reviewed_by(r: AlertReview) -> str:
        return r.reviewed_by.username


@router.get("/", response=list[AlertOut])
@api_allow(Perm.VIEW_ALERTS)
def list_alerts(request: ClinicRequest) -> list[Alert]:
    """Open alerts of the clinic, suicide-risk first, then by severity."""
    rows = clinic_alerts(request.clinic)
    audit_read(request, "alerts_view", via="api", count=len(rows))
    return rows


@router.post("/{alert_id}/acknowledge", response=AlertOut)
@api_allow(Perm.ACKNOWLEDGE_ALERTS)
def acknowledge(request: ClinicRequest, alert_id: int, body: AckIn) -> Alert:
    alert = get_in_clinic(Alert, request.clinic, pk=alert_id)
    return services.acknowledge_alert(alert=alert, action_note=body.action_note, by=request.user)


@router.post("/{alert_id}/review", response=ReviewOut)
@api_allow(Perm.REVIEW_ALERTS)
def review(request: ClinicRequest, alert_id: int, body: ReviewIn) -> AlertReview:
    """A prescriber's review of an alert that blocks the chair: proceed closes it, hold keeps it open (ADR 0016)."""
    alert = get_in_clinic(Alert, request.clinic, pk=alert_id)
    return services.review_alert(alert=alert, decision=body.decision, reason=body.reason, by=request.user)
