"""Infusions API: the chairside actions of the web screens, through the same services."""

from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.http import HttpRequest
from ninja import Field, Router, Schema

from accounts.access import ClinicRequest, api_allow
from accounts.pages import audit_read
from accounts.permissions import Perm
from clinical.session_flow import Action
from toolkit.errors import ServiceError
from toolkit.scoping import get_in_clinic
from toolkit.vocab import literal_of

from . import queries, services
from .choices import PregnancyTest
from .models import AdverseEvent, InfusionSession, VitalSign

PregnancyTestValue = literal_of(PregnancyTest)
# The actions a client may take on the actions endpoint (check-in, dose verification and discharge have their own).
ChairAction = literal_of([Action.START, Action.PAUSE, Action.RESUME, Action.STOP_INFUSION, Action.STOP_EARLY, Action.TRANSFER])

router = Router()


class BookedSession(Schema):
    """What every answer about a booked session starts with (this API's and /api/scheduling/'s)."""

    id: int
    course_id: int
    patient_id: int
    number: int
    chair_id: int
    scheduled_start: datetime


class SessionOut(BookedSession):
    state: str
    checkin_weight_kg: Decimal | None
    total_mg: Decimal | None
    rate_ml_per_h: Decimal | None
    given_mg: Decimal | None = None  # what the infusion gave, worked out at its stop, beside the planned total_mg
    given_volume_ml: Decimal | None = None
    given_source: str = ""
    dose: dict[str, Any]
    checked_in_at: datetime | None
    dose_verified_at: datetime | None
    started_at: datetime | None
    infusion_ended_at: datetime | None
    infusion_stop: dict[str, Any]
    discharged_at: datetime | None
    cadss: dict[str, Any]
    side_effects: dict[str, Any]
    discharge: dict[str, Any]
    signed_at: datetime | None
    cosigned_at: datetime | None


class VitalOut(Schema):
    id: int
    measured_at: datetime
    systolic_mmhg: int | None
    diastolic_mmhg: int | None
    heart_rate_bpm: int | None
    spo2_pct: Decimal | None
    resp_rate_per_min: int | None
    etco2_mmhg: Decimal | None
    source: str
    device: str
    message_control_id: str




class VitalsIn(Schema):
    systolic_mmhg: Decimal | None = None
    diastolic_mmhg: Decimal | None = None
    heart_rate_bpm: Decimal | None = None
    spo2_pct: Decimal | None = None
    resp_rate_per_min: Decimal | None = None
    etco2_mmhg: Decimal | None = None
    measured_at: datetime | None = None


class CheckInIn(Schema):
    weight_kg: Decimal
    weight_confirmed: bool = False  # needed, with weight_reason, when today's weight differs much from the last
    weight_reason: str = Field("", max_length=500)
    identity_confirmed: bool
    consent_current: bool
    escort_name: str = Field(max_length=120)
    escort_phone: str = Field(max_length=32)
    fasting_confirmed: bool = False
    pregnancy_test: PregnancyTestValue = PregnancyTest.NOT_APPLICABLE.value
    baseline: VitalsIn
    waivers: dict[str, str] = {}


class VerifierIn(Schema):
    username: str = Field(max_length=150)
    password: str = Field(max_length=4096)


class VerifyIn(Schema):
    total_mg: Decimal
    rate_ml_per_h: Decimal
    verifier: VerifierIn = Field(description="The second clinician, proven by their own password (ADR 0016)")


class ReasonIn(Schema):
    reason: str = Field("", max_length=4000)


class ActionIn(Schema):
    action: ChairAction
    reason: str = Field("", max_length=4000)
    pump_volume_ml: Decimal | None = None  # stops: the pump's volume infused, confirmed (else rate x infusing time)


class CadssIn(Schema):
    answers: list[int | None] = Field(max_length=40)
    incomplete_reason: str = Field("", max_length=500, description="Required when an item is unanswered")


class SideEffectsIn(Schema):
    items: list[str] = Field(max_length=20)
    note: str = Field("", max_length=2000)


class AdverseEventIn(Schema):
    description: str = Field(max_length=300)
    severity: str = Field(max_length=16)
    serious: bool
    relatedness: str = Field(max_length=16)
    action_taken: str = Field(max_length=16)
    outcome: str = Field(max_length=24)
    onset_at: datetime | None = None


class AdverseEventOut(Schema):
    id: int
    session_id: int
    onset_at: datetime
    description: str
    severity: str
    serious: bool
    relatedness: str
    action_taken: str
    outcome: str


class DischargeIn(Schema):
    item_scores: dict[str, int]
    escort_confirmed: bool
    override_reason: str = Field("", max_length=4000)




def _session(request: ClinicRequest, session_id: int) -> InfusionSession:
    return get_in_clinic(InfusionSession, request.clinic, pk=session_id)


def _fresh(session: InfusionSession) -> InfusionSession:
    return InfusionSession.objects.get(pk=session.pk)


@router.get("/sessions", response=list[SessionOut])
@api_allow(Perm.VIEW_SESSION_RECORDS)
def list_sessions(request: ClinicRequest, on: date | None = None) -> list[InfusionSession]:
    """Sessions of one day (the clinic's local date; default today)."""
    tz = ZoneInfo(request.clinic.time_zone)
    if on is not None and not 1900 <= on.year <= 2999:
        raise ServiceError("Choose a day between the years 1900 and 2999.", {"on": "Out of range."})
    day = datetime.combine(on, time(12), tz) if on else datetime.now(UTC)
    rows = list(queries.sessions_on(request.clinic, day))
    audit_read(request, "sessions_list_view", via="api", count=len(rows))
    return rows


@router.get("/sessions/{session_id}", response=SessionOut)
@api_allow(Perm.VIEW_SESSION_RECORDS)
def get_session(request: HttpRequest, session_id: int) -> InfusionSession:
    session = _session(request, session_id)
    audit_read(request, "session_view", via="api", obj=session, patient=session.patient_id)
    return session


@router.post("/sessions/{session_id}/check-in", response=SessionOut)
@api_allow(Perm.CHECK_IN)
def check_in(request: HttpRequest, session_id: int, body: CheckInIn) -> InfusionSession:
    values = body.model_dump()
    baseline = {k: v for k, v in values.pop("baseline").items() if k != "measured_at"}
    return _fresh(services.check_in(session=_session(request, session_id), baseline=baseline, by=request.user, **values))


@router.post("/sessions/{session_id}/dose-override", response=SessionOut)
@api_allow(Perm.OVERRIDE_SAFETY_LIMITS)
def override_dose(request: HttpRequest, session_id: int, body: ReasonIn) -> InfusionSession:
    return _fresh(services.override_dose(session=_session(request, session_id), reason=body.reason, by=request.user))


@router.post("/sessions/{session_id}/verify", response=SessionOut)
@api_allow(Perm.VERIFY_DOSE)
def verify(request: HttpRequest, session_id: int, body: VerifyIn) -> InfusionSession:
    return _fresh(services.verify_dose(session=_session(request, session_id), total_mg=body.total_mg,
                                       rate_ml_per_h=body.rate_ml_per_h, verifier=body.verifier.username,
                                       verifier_password=body.verifier.password, by=request.user))


@router.post("/sessions/{session_id}/actions", response=SessionOut)
@api_allow(Perm.CONTROL_INFUSION)
def act(request: HttpRequest, session_id: int, body: ActionIn) -> InfusionSession:
    """Start, pause (reason), resume, stop the infusion, stop early (reason) or transfer (reason)."""
    session = services.apply_action(session=_session(request, session_id), action=body.action, reason=body.reason,
                                    pump_volume_ml=body.pump_volume_ml, by=request.user)
    return _fresh(session)


@router.get("/sessions/{session_id}/vitals", response=list[VitalOut])
@api_allow(Perm.VIEW_SESSION_RECORDS)
def list_vitals(request: HttpRequest, session_id: int) -> list[VitalSign]:
    session = _session(request, session_id)
    audit_read(request, "vitals_view", via="api", obj=session, patient=session.patient_id)
    return queries.vitals_of(session)


@router.post("/sessions/{session_id}/vitals", response={201: VitalOut})
@api_allow(Perm.RECORD_VITALS)
def record_vitals(request: HttpRequest, session_id: int, body: VitalsIn) -> tuple[int, VitalSign]:
    values = body.model_dump()
    measured_at = values.pop("measured_at")
    vital, _ = services.record_vitals(session=_session(request, session_id), values=values, measured_at=measured_at,
                                      by=request.user)
    return 201, vital


@router.post("/sessions/{session_id}/cadss", response=SessionOut)
@api_allow(Perm.RECORD_SIDE_EFFECTS)
def cadss(request: HttpRequest, session_id: int, body: CadssIn) -> InfusionSession:
    return _fresh(services.record_cadss(session=_session(request, session_id), answers=body.answers,
                                        incomplete_reason=body.incomplete_reason, by=request.user))


@router.post("/sessions/{session_id}/side-effects", response=SessionOut)
@api_allow(Perm.RECORD_SIDE_EFFECTS)
def side_effects(request: HttpRequest, session_id: int, body: SideEffectsIn) -> InfusionSession:
    return _fresh(services.record_side_effects(session=_session(request, session_id), items=body.items, note=body.note,
                                               by=request.user))


@router.post("/sessions/{session_id}/adverse-events", response={201: AdverseEventOut})
@api_allow(Perm.RECORD_ADVERSE_EVENTS)
def adverse_event(request: HttpRequest, session_id: int, body: AdverseEventIn) -> tuple[int, AdverseEvent]:
    return 201, services.record_adverse_event(session=_session(request, session_id), values=body.model_dump(), by=request.user)


@router.post("/sessions/{session_id}/discharge", response=SessionOut)
@api_allow(Perm.DISCHARGE)
def discharge(request: HttpRequest, session_id: int, body: DischargeIn) -> InfusionSession:
    return _fresh(services.discharge_patient(session=_session(request, session_id), item_scores=body.item_scores,
                                             escort_confirmed=body.escort_confirmed,
                                             override_reason=body.override_reason, by=request.user))


@router.post("/sessions/{session_id}/sign", response=SessionOut)
@api_allow(Perm.SIGN_SESSION)
def sign(request: HttpRequest, session_id: int) -> InfusionSession:
    return _fresh(services.sign_session(session=_session(request, session_id), by=request.user))


@router.post("/sessions/{session_id}/cosign", response=SessionOut)
@api_allow(Perm.COSIGN_SESSION)
def cosign(request: HttpRequest, session_id: int) -> InfusionSession:
    return _fresh(services.cosign_session(session=_session(request, session_id), by=request.user))


