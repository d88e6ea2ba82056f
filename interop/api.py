"""Interop API: the monitor-message quarantine, through the same services as the page."""

from datetime import datetime

from django.db import transaction
from django.http import HttpRequest
from ninja import Router, Schema

from accounts.choices import Role
from audit import services as audit
from infusions.api import ReasonIn
from infusions.models import InfusionSession
from ketacare.api import api_allow
from ketacare.scoping import get_in_clinic

from . import queries, services
from .models import Hl7Message

router = Router()
CHAIR = (Role.PRESCRIBER, Role.NURSE)


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
@api_allow(*CHAIR)
def list_quarantine(request: HttpRequest) -> list[Hl7Message]:
    rows = list(queries.quarantine(request.clinic))  # type: ignore[attr-defined]
    with transaction.atomic():
        audit.record(action="hl7_quarantine_view", by=request.user, clinic=request.clinic,  # type: ignore[attr-defined]
                     detail={"via": "api", "count": len(rows)})
    return rows


@router.post("/quarantine/{message_id}/assign", response=MessageOut)
@api_allow(*CHAIR)
def assign(request: HttpRequest, message_id: int, body: AssignIn) -> Hl7Message:
    message = get_in_clinic(Hl7Message, request.clinic, pk=message_id)  # type: ignore[attr-defined]
    session = get_in_clinic(InfusionSession, request.clinic, pk=body.session_id)  # type: ignore[attr-defined]
    return services.assign_hl7_message(message=message, session=session, by=request.user)


@router.post("/quarantine/{message_id}/dismiss", response=MessageOut)
@api_allow(*CHAIR)
def dismiss(request: HttpRequest, message_id: int, body: ReasonIn) -> Hl7Message:
    message = get_in_clinic(Hl7Message, request.clinic, pk=message_id)  # type: ignore[attr-defined]
    return services.dismiss_hl7_message(message=message, reason=body.reason, by=request.user)
