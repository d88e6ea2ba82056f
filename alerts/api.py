"""Alerts API: the clinic's open alerts and acknowledging one, through the same services as the pages."""

from datetime import datetime

from ninja import Field, Router, Schema

from accounts.access import ClinicRequest, api_allow
from accounts.pages import audit_read
from accounts.permissions import Perm
from toolkit.scoping import get_in_clinic

from . import services
from .models import Alert
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
