"""Every write of the measures app: assessments, patient links, reminders, wording (alerts go through alerts.services)."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction

from accounts.actors import Actor, user_of
from accounts.models import Clinic
from accounts.permissions import Perm
from accounts.policy import policy_value
from accounts.queries import require
from alerts import services as alerts
from audit import services as audit
from clinical.errors import ClinicalError
from clinical.instruments import ScoreResult, get_instrument, score
from courses.defaults import planned_infusions
from toolkit.errors import ServiceError

from . import delivery, queries, readmodel, tokens
from .choices import PATIENT_REPORTED, SUICIDE_RISK, Channel, LinkOrigin
from .models import Assessment, AssessmentSource, InstrumentWording, PatientLink
from .policy import pcl5_cutpoint

PATIENT_ACTOR = "patient link"
REMINDER_ACTOR = "reminders"
FUTURE_SLACK = timedelta(minutes=5)


def _now() -> datetime:
    return datetime.now(UTC)


def _check_point(patient: Any, course: Any, instrument: str, point_key: str, occurrence: int) -> None:
    """Refuse a point the course does not have, or an instrument the point does not list."""
    if course is not None and course.patient_id != patient.pk:
        raise ServiceError("That course belongs to another patient.", {"course": "Not this patient's course."})
    if not point_key:
        if occurrence:
            raise ServiceError("An infusion number needs an assessment point.", {"occurrence": "Choose a point."})
        return
    if course is None:
        raise ServiceError("Assessment points belong to a course; this patient has none.", {"point_key": "No course."})
    point = next((p for p in queries.course_points(course) if p.key == point_key), None)
    if point is None:
        raise ServiceError(f"The course has no assessment point {point_key!r}.", {"point_key": "Unknown point."})
    if instrument not in point.instruments:
        raise ServiceError(f"{point.label} does not include {instrument}.", {"instrument": "Not part of this point."})
    each = point.anchor.value == "each_infusion"
    if each and not 1 <= occurrence <= planned_infusions(course.protocol_snapshot):
        raise ServiceError("Give the infusion number this questionnaire comes before.", {"occurrence": "Out of range."})
    if not each and occurrence:
        raise ServiceError(f"{point.label} is not counted per infusion.", {"occurrence": "Must be empty."})


def _check_time(assessed_at: datetime, now: datetime) -> None:
    if assessed_at.tzinfo is None:
        raise ServiceError("The assessment time needs a time zone.", {"assessed_at": "Naive time."})
    if assessed_at > now + FUTURE_SLACK:
        raise ServiceError("The assessment time cannot be in the future.", {"assessed_at": "In the future."})
    if assessed_at.year < 2000:
        raise ServiceError("The assessment time is implausibly early.", {"assessed_at": "Too early."})


def score_items(clinic: Clinic, instrument: str, items: Sequence[Any]) -> ScoreResult:
    """Score with the kernel and the clinic's cut-point; refuse with the kernel's message."""
    try:
        return score(instrument, items, cutpoint=pcl5_cutpoint(clinic))
    except ClinicalError as exc:
        raise ServiceError(str(exc), {"items": str(exc)}) from None


def _risk_detail(result: ScoreResult) -> tuple[str, str, str, str]:
    """Return (rule, value, threshold, words) of a suicide-risk flag (CLINICAL.md s4)."""
    if result.instrument == "phq9":
        value = str(result.answers[8])
        return "phq9_item9", value, "> 0", f"PHQ-9 item 9 (thoughts of death or self-harm) answered {value}"
    level = result.risk_level.label if result.risk_level is not None else "moderate or higher"
    return "cssrs_risk_level", level, "moderate", f"C-SSRS screener risk level {level}"


def _raise_risk_alert(assessment: Assessment, result: ScoreResult, source_label: str, by: Actor) -> None:
    rule, value, threshold, words = _risk_detail(result)
    alerts.raise_suicide_risk(
        assessment=assessment, rule=rule, value=value, threshold=threshold, by=by,
        message=f"{words} ({source_label}). Contact the patient now and record the action taken.",
    )


def record_assessment(
    *, patient: Any, instrument: str, items: Sequence[Any], assessed_at: datetime | None = None, course: Any = None,
    point_key: str = "", occurrence: int = 0, source: str = AssessmentSource.STAFF, by: Actor,
) -> Assessment:
    """Score and store a questionnaire; a suicide-risk answer raises a critical alert in the same transaction."""
    if source == AssessmentSource.PATIENT_LINK:
        if by != PATIENT_ACTOR:
            raise ServiceError("Patient-link answers come through submit_link.")
    else:
        require(Perm.RECORD_QUESTIONNAIRES, by, patient.clinic, to="record questionnaires")
    get_or_refuse(instrument)
    now = _now()
    assessed_at = assessed_at or now
    _check_time(assessed_at, now)
    course = course if course is not None else queries.current_course(patient, now)
    _check_point(patient, course, instrument, point_key, occurrence)
    result = score_items(patient.clinic, instrument, items)
    with transaction.atomic():
        assessment = Assessment.objects.create(
            clinic=patient.clinic, patient=patient, course=course, instrument=instrument, point_key=point_key,
            occurrence=occurrence, assessed_at=assessed_at, items=list(result.answers), complete=result.complete,
            total=result.total, result={**result.as_dict(), "missing": list(result.missing)}, source=source,
            entered_by=user_of(by),
        )
        if SUICIDE_RISK in assessment.result["flags"]:
            _raise_risk_alert(assessment, result, AssessmentSource(source).label.lower(), by)
        if course is not None:
            readmodel.refresh_course(course.pk)
        audit.record(action="assessment_record", by=by, clinic=patient.clinic, patient=patient, obj=assessment,
                     detail={"instrument": instrument, "total": result.total, "complete": result.complete,
                             "flags": assessment.result["flags"], "source": source, "point": point_key})
    return assessment


def get_or_refuse(instrument: str) -> None:
    try:
        get_instrument(instrument)
    except ClinicalError as exc:
        raise ServiceError(str(exc), {"instrument": str(exc)}) from None


def _check_channels(patient: Any, channels: Sequence[str]) -> list[str]:
    chosen = list(dict.fromkeys(channels))
    unknown = [c for c in chosen if c not in Channel.values]
    if unknown:
        raise ServiceError(f"Unknown channel {unknown[0]!r}; use email or sms.", {"channels": "Unknown channel."})
    if Channel.EMAIL in chosen and not patient.email:
        raise ServiceError("The patient has no email address on file.", {"channels": "No email address."})
    if Channel.SMS in chosen and not patient.phone:
        raise ServiceError("The patient has no phone number on file.", {"channels": "No phone number."})
    return chosen


def issue_link(
    *, patient: Any, instrument: str, course: Any = None, point_key: str = "", occurrence: int = 0,
    channels: Sequence[str] = (), origin: str = LinkOrigin.STAFF, by: Actor,
) -> tuple[PatientLink, str]:
    """Issue a single-use link to one questionnaire and send it; return the link and its token (shown once)."""
    if origin == LinkOrigin.STAFF:
        require(Perm.SEND_QUESTIONNAIRE_LINKS, by, patient.clinic, to="send questionnaire links")
    if instrument not in PATIENT_REPORTED:
        get_or_refuse(instrument)
        raise ServiceError(f"{instrument} is rated by a clinician; enter it on the staff form instead.",
                           {"instrument": "Clinician-rated."})
    now = _now()
    course = course if course is not None else queries.current_course(patient, now)
    _check_point(patient, course, instrument, point_key, occurrence)
    chosen = _check_channels(patient, channels)
    token, token_hash = tokens.make_token()
    hours = int(policy_value(patient.clinic, "measures_link_expiry_hours"))
    with transaction.atomic():
        link = PatientLink.objects.create(
            clinic=patient.clinic, patient=patient, course=course, instrument=instrument, point_key=point_key,
            occurrence=occurrence, token_hash=token_hash, origin=origin, issued_at=now,
            issued_by=user_of(by), expires_at=now + timedelta(hours=hours),
        )
        audit.record(action="link_issue", by=by, clinic=patient.clinic, patient=patient, obj=link,
                     detail={"instrument": instrument, "point": point_key, "origin": origin, "expires_hours": hours})
        if chosen:
            _send(link, token, chosen, by)
    return link, token


def _send(link: PatientLink, token: str, channels: list[str], by: Actor) -> None:
    """Send the link last in the issuing transaction: a failed send leaves no link behind, and once it is
    sent only the commit itself remains, so a patient never holds a link that was rolled back."""
    link.sent_at, link.channels = _now(), ",".join(channels)
    link.save(update_fields=["sent_at", "channels"])
    audit.record(action="link_send", by=by, clinic=link.clinic, patient=link.patient, obj=link,
                 detail={"channels": channels})
    try:
        delivery.send_link(link, token, channels)
    except delivery.DeliveryError as exc:
        raise ServiceError(str(exc), {"channels": str(exc)}) from None


class LinkRefused(ServiceError):
    """The token is forged, expired or already used; `state` says which."""

    def __init__(self, state: queries.LinkState) -> None:
        super().__init__(f"This questionnaire link cannot be used ({state.value}).")
        self.state = state


def open_link(*, token: str) -> PatientLink:
    """Record that a patient opened a usable link (audited read); raise LinkRefused otherwise."""
    with transaction.atomic():
        state, link = queries.resolve_link(token, _now(), lock=True)
        if state is not queries.LinkState.OK or link is None:
            raise LinkRefused(state)
        if link.opened_at is None:
            link.opened_at = _now()
            link.save(update_fields=["opened_at"])
        audit.record(action="link_open", by=PATIENT_ACTOR, clinic=link.clinic, patient=link.patient, obj=link)
    return link


def submit_link(*, token: str, items: Sequence[Any]) -> Assessment:
    """Store a patient's answers from a link and use the link up, all in one transaction."""
    with transaction.atomic():
        state, link = queries.resolve_link(token, _now(), lock=True)
        if state is not queries.LinkState.OK or link is None:
            raise LinkRefused(state)
        assessment = record_assessment(
            patient=link.patient, instrument=link.instrument, items=items, course=link.course,
            point_key=link.point_key, occurrence=link.occurrence, source=AssessmentSource.PATIENT_LINK,
            by=PATIENT_ACTOR,
        )
        link.used_at, link.assessment = _now(), assessment
        link.save(update_fields=["used_at", "assessment"])
        audit.record(action="link_use", by=PATIENT_ACTOR, clinic=link.clinic, patient=link.patient, obj=link)
    return assessment


@dataclass
class ReminderRun:
    sent: int = 0
    already_sent: int = 0
    no_contact: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def send_reminders(*, clinic: Clinic, now: datetime, by: Actor = REMINDER_ACTOR) -> ReminderRun:
    """Send one link for every due patient-reported item that has not had one (safe to repeat)."""
    run = ReminderRun(errors=[])
    for item in queries.due_items(clinic, now):
        if not item.patient_reported:
            continue
        s, patient = item.slot, item.patient
        key = {"course": item.course, "point_key": s.point_key, "occurrence": s.occurrence, "instrument": s.instrument}
        if PatientLink.objects.filter(origin=LinkOrigin.REMINDER, **key).exists():
            run.already_sent += 1
            continue
        channels = [c for c, ok in ((Channel.EMAIL, patient.email), (Channel.SMS, patient.phone)) if ok]
        if not channels:
            run.no_contact += 1
            continue
        try:
            issue_link(patient=patient, channels=channels, origin=LinkOrigin.REMINDER, by=by, **key)
        except IntegrityError:  # another run sent it a moment ago
            run.already_sent += 1
        except ServiceError as exc:
            run.failed += 1
            run.errors.append(f"{patient.mrn} {s.instrument} {s.point_key}: {exc.message}")
        else:
            run.sent += 1
    return run


def save_wording(*, instrument_id: str, items: dict[str, str], title: str = "", url: str = "", version: str = "",
                 copyright: str = "", source_sha256: str = "", clinic: Clinic | None = None, by: Actor) -> InstrumentWording:
    """Store an instrument's official item wording (read by interop.fhir) for one clinic or (clinic None) all."""
    if clinic is not None and user_of(by) is not None:
        require(Perm.IMPORT_WORDING, by, clinic, to="import instrument wording")
    instrument = get_instrument(instrument_id)
    values = {"items": items, "title": title[:200], "questionnaire_url": url[:300],
              "questionnaire_version": version[:64], "copyright": copyright,
              "source_sha256": source_sha256, "imported_at": _now(),
              "imported_by": getattr(by, "username", None) or str(by)}
    with transaction.atomic():
        row, created = InstrumentWording.objects.update_or_create(
            clinic=clinic, instrument=instrument.id, defaults=values)
        audit.record(action="wording_import", by=by, clinic=clinic, obj=row,
                     detail={"instrument": instrument.id, "items": len(items), "replaced": not created,
                             "sha256": source_sha256, "url": url})
    return row
