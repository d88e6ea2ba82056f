"""Vital signs (typed, batched or from monitors) and the alerts they raise, in one transaction."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction

from accounts.actors import Actor, user_of
from accounts.models import Clinic
from accounts.permissions import Perm
from accounts.queries import require
from alerts import services as alerts
from alerts.choices import AlertKind
from alerts.queries import open_rules
from audit import services as audit
from clinical.errors import ClinicalError
from clinical.phases import phase_at, phase_of
from clinical.vitals import Phase, Reading, charted_reading, evaluate_overdue, evaluate_signs
from toolkit.errors import ServiceError

from ..choices import IN_PROGRESS, ReadingSource, SessionState
from ..models import InfusionSession, VitalSign
from .common import kernel_state, locked, now, schedule_of, thresholds_of, when

INT_FIELDS = ("systolic_mmhg", "diastolic_mmhg", "heart_rate_bpm", "resp_rate_per_min")
DECIMAL_FIELDS = ("spo2_pct", "etco2_mmhg")
FIELDS = INT_FIELDS + DECIMAL_FIELDS
LABELS = {"systolic_mmhg": "Systolic", "diastolic_mmhg": "Diastolic", "heart_rate_bpm": "Heart rate",
          "resp_rate_per_min": "Respiratory rate", "spo2_pct": "SpO2", "etco2_mmhg": "EtCO2"}
MAX_BATCH = 2000
MAX_PLACES = 2  # typed values keep up to 0.01; thresholds judge them as typed, the chart rounds (clinical.vitals)


@dataclass(frozen=True)
class TimedValues:
    """One reading to store: when it was measured, the values, and where it came from."""

    at: datetime
    reading: Reading
    device: str = ""


def parse_values(values: Mapping[str, Any]) -> Reading:
    """Turn typed values (blank = not measured) into a validated kernel reading."""
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise ServiceError(f"Unknown vital signs: {', '.join(sorted(unknown))}.")
    parsed: dict[str, Decimal | int] = {}
    errors: dict[str, str] = {}
    for name in FIELDS:
        raw = values.get(name)
        if raw is None or str(raw).strip() == "":
            continue
        try:
            number = Decimal(str(raw).strip())
            if not number.is_finite():
                raise ValueError
        except (ArithmeticError, ValueError):
            errors[name] = f"{LABELS[name]} must be a number."
            continue
        if number == number.to_integral_value():
            parsed[name] = int(number)
        elif abs(number) < 1000 and number != number.quantize(Decimal(1).scaleb(-MAX_PLACES)):
            errors[name] = f"{LABELS[name]} is recorded to 0.01 at most."
        else:
            parsed[name] = number
    if errors:
        raise ServiceError("Some values are not valid; nothing was saved.", errors)
    try:
        reading = Reading(**parsed)
        charted_reading(reading)  # the stored (rounded) values must be possible too
        return reading
    except ClinicalError as exc:
        raise ServiceError.from_kernel(exc, f"{exc} Nothing was saved.") from None


def check_recordable(session: InfusionSession) -> None:
    kernel_state(session)
    if session.state not in IN_PROGRESS:
        raise ServiceError("Vital signs are recorded from check-in until discharge; this session is "
                           f"{session.get_state_display().lower()}.")


def store_readings(session: InfusionSession, rows: Sequence[TimedValues], *, source: str, by: Actor,
                   hl7_message_id: int | None = None, control_id: str = "") -> tuple[list[VitalSign], list[Any]]:
    """Write readings and the alerts the kernel finds (inside the caller's transaction)."""
    user = user_of(by)
    created = VitalSign.objects.bulk_create([
        VitalSign(clinic=session.clinic, session=session, measured_at=row.at, source=source, device=row.device[:80],
                  entered_by=user if source == ReadingSource.TYPED else None, hl7_message_id=hl7_message_id,
                  message_control_id=control_id[:64],
                  **{name: getattr(charted_reading(row.reading), name) for name in FIELDS})
        for row in rows
    ])
    raised = raise_vital_alerts(session, list(zip(rows, created, strict=True)), by=by)
    bp_times = [row.at for row in rows if row.reading.systolic_mmhg is not None]
    if bp_times:
        alerts.close_alerts(session=session, kind=AlertKind.OVERDUE, at=max(bp_times), by=by,
                            note="Closed automatically: a blood-pressure reading was recorded.")
    return created, raised


def vital_findings(session: InfusionSession, rows: Sequence[TimedValues]) -> list[list[Any]]:
    """What the kernel finds in each reading (as measured, judged by the phase it was measured in); mostly empty."""
    thresholds = thresholds_of(session)
    return [evaluate_signs(row.reading, thresholds, phase_at(row.at, started_at=session.started_at,
                                                             infusion_ended_at=session.infusion_ended_at)) for row in rows]


def raise_vital_alerts(session: InfusionSession, pairs: list[tuple[TimedValues, VitalSign]], *, by: Actor) -> list[Any]:
    """Raise the alerts the kernel finds in these readings, one per sign and rule still open (inside the transaction)."""
    found = [(row, vital, finding) for (row, vital), findings in zip(pairs, vital_findings(session, [r for r, _ in pairs]),
                                                                       strict=True) for finding in findings]
    if not found:
        return []
    already, raised = open_rules(session), []
    for row, vital, finding in found:
        if finding.rule_id.value in already:
            continue
        already.add(finding.rule_id.value)
        raised.append(alerts.raise_vital_alert(session=session, finding=finding, source=vital, at=row.at, by=by))
    return raised


def record_vitals(*, session: InfusionSession, values: Mapping[str, Any], measured_at: datetime | None = None,
                  at: datetime | None = None, by: Actor) -> tuple[VitalSign, list[Any]]:
    """Record one typed reading; the kernel validates it and the alerts it fires are stored with it."""
    require(Perm.RECORD_VITALS, by, session.clinic, to="record vital signs")
    moment = when(measured_at or at)
    reading = parse_values(values)
    with transaction.atomic():
        session = locked(session)
        check_recordable(session)
        if session.checked_in_at and moment < session.checked_in_at - timedelta(minutes=5):
            raise ServiceError("A reading cannot be dated before the patient checked in.", {"measured_at": "Before check-in."})
        (vital,), raised = store_readings(session, [TimedValues(moment, reading)], source=ReadingSource.TYPED, by=by)
        audit.record(action="vitals_record", by=by, clinic=session.clinic, patient=session.patient_id, obj=vital,
                     detail={"session": session.pk, "alerts": [a.rule for a in raised]})
    return vital, raised


def record_vitals_batch(*, session: InfusionSession, readings: Iterable[tuple[datetime, Mapping[str, Any]]],
                        device: str = "", by: Actor) -> tuple[list[VitalSign], list[Any]]:
    """Record many typed (or device) readings at once, e.g. a back-filled chart; one audit event."""
    require(Perm.RECORD_VITALS, by, session.clinic, to="record vital signs")
    rows = [TimedValues(when(moment), parse_values(values), device) for moment, values in readings]
    if not rows or len(rows) > MAX_BATCH:
        raise ServiceError(f"A batch holds 1 to {MAX_BATCH} readings.")
    with transaction.atomic():
        session = locked(session)
        check_recordable(session)
        source = ReadingSource.DEVICE if device else ReadingSource.TYPED
        created, raised = store_readings(session, rows, source=source, by=by)
        audit.record(action="vitals_record_batch", by=by, clinic=session.clinic, patient=session.patient_id,
                     obj=session, detail={"count": len(created), "alerts": [a.rule for a in raised]})
    return created, raised


def raise_overdue_alerts(*, clinic: Clinic | None = None, at: datetime | None = None, by: Actor = "alerts-tick") -> list[Any]:
    """Raise one open 'BP overdue' alert per session whose reading is late (CLINICAL.md section 3); idempotent."""
    moment = at or now()
    sessions = InfusionSession.objects.filter(state__in=[SessionState.INFUSING, SessionState.PAUSED, SessionState.RECOVERING])
    if clinic is not None:
        sessions = sessions.filter(clinic=clinic)
    raised = []
    for session in sessions.select_related("course", "patient", "clinic"):
        alert = _overdue_for(session, moment, by)
        if alert is not None:
            raised.append(alert)
    return raised


def _phase_start(session: InfusionSession, phase: Phase) -> datetime | None:
    return session.infusion_ended_at if phase is Phase.RECOVERING else session.started_at


def _overdue_for(session: InfusionSession, moment: datetime, by: Actor) -> Any:
    phase = phase_of(kernel_state(session))
    started = _phase_start(session, phase) if phase else None
    if phase is None or started is None or started > moment:
        return None
    last = (VitalSign.objects.filter(session=session, systolic_mmhg__isnull=False, measured_at__lte=moment)
            .order_by("-measured_at").values_list("measured_at", flat=True).first())
    finding = evaluate_overdue(schedule_of(session), phase, started, last, moment)
    if finding is None:
        return None
    with transaction.atomic():
        session = locked(session)
        if session.state not in (SessionState.INFUSING, SessionState.PAUSED, SessionState.RECOVERING):
            return None
        if finding.rule_id.value in open_rules(session):
            return None
        return alerts.raise_overdue_alert(session=session, finding=finding, at=moment, by=by)
