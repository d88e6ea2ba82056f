"""Interop API: the monitor-message quarantine, through the same services as the page."""

from datetime import datetime

from ninja import Router, Schema

from accounts.access import ClinicRequest, api_allow
from accounts.pages import audit_read
from accounts.permissions import Perm
from infusions.api import ReasonIn
from infusions.models import InfusionSession
from toolkit.scoping import get_in_clinic

from . import queries, services
from .models import Hl7Message

router = Router()


class MessageOut(Schema):
    id: int
    control_id: str
    sending_application: str
    received_at: datetime
    status: str
    error: str
    patient_ref: str
    location: str
    reading_count: int


class AssignIn(Schema):
    session_id: int


@router.get("/quarantine", response=list[MessageOut])
@api_allow(Perm.TRIAGE_MONITOR_MESSAGES)
def list_quarantine(request: ClinicRequest) -> list[Hl7Message]:
    rows = list(queries.quarantine(request.clinic))
    audit_read(request, "hl7_quarantine_view", via="api", count=len(rows))
    return rows


@router.post("/quarantine/{message_id}/assign", response=MessageOut)
@api_allow(Perm.TRIAGE_MONITOR_MESSAGES)
def assign(request: ClinicRequest, message_id: int, body: AssignIn) -> Hl7Message:
    message = get_in_clinic(Hl7Message, request.clinic, pk=message_id)
    session = get_in_clinic(InfusionSession, request.clinic, pk=body.session_id)
    return services.assign_hl7_message(message=message, session=session, by=request.user)


@router.post("/quarantine/{message_id}/dismiss", response=MessageOut)
@api_allow(Perm.TRIAGE_MONITOR_MESSAGES)
def dismiss(request: ClinicRequest, message_id: int, body: ReasonIn) -> Hl7Message:
    message = get_in_clinic(Hl7Message, request.clinic, pk=message_id)
    return services.dismiss_hl7_message(message=message, reason=body.reason, by=request.user)
