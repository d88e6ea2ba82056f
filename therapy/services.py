"""Every write of the therapy app: integration sessions and their amendments."""

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction

from accounts.models import User
from accounts.permissions import Perm
from accounts.queries import require
from audit import services as audit
from infusions.models import InfusionSession
from toolkit.errors import ServiceError
from toolkit.locking import for_update

from .fields import FIELDS
from .models import IntegrationSession, TherapyAmendment

MIN_REASON = 10


def _infusion_day(infusion: InfusionSession, tz: ZoneInfo) -> date:
    """The clinic-local day of an infusion: when it started, else when it was booked."""
    return (infusion.started_at or infusion.scheduled_start).astimezone(tz).date()


def _check(patient: Any, values: dict[str, Any], infusion_ids: list[int]) -> tuple[dict[str, str], list[InfusionSession]]:
    """Every problem of a session's values at once, and the infusions it links."""
    errors: dict[str, str] = {}
    unknown = set(values) - FIELDS
    if unknown:
        raise ServiceError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    today = datetime.now(UTC).date()
    held_on = values.get("held_on")
    if held_on is None or held_on > today + timedelta(days=1) or held_on.year < today.year - 10:
        errors["held_on"] = "The session date must be within the last 10 years and not in the future."
        held_on = None
    if not 10 <= int(values.get("duration_min") or 0) <= 240:
        errors["duration_min"] = "A session lasts 10 to 240 minutes."
    infusions = list(InfusionSession.objects.filter(patient=patient, pk__in=infusion_ids).order_by("scheduled_start"))
    if len(infusions) != len(set(infusion_ids)):
        errors["infusions"] = "Link only infusions of this patient."
    elif held_on is not None:
        tz = ZoneInfo(patient.clinic.time_zone)
        later = [i for i in infusions if _infusion_day(i, tz) > held_on]
        if later:  # a note records what happened by its date: it cannot speak of an infusion still to come
            named = ", ".join(f"infusion {i.number} on {_infusion_day(i, tz):%Y-%m-%d}" for i in later)
            errors["infusions"] = f"A note dated {held_on:%Y-%m-%d} cannot be linked to an infusion after it: {named}."
    return errors, infusions


def problems(*, patient: Any, values: dict[str, Any], infusion_ids: list[int]) -> dict[str, str]:
    """Every problem the service finds in a session's values (for a form that refused some fields itself)."""
    known = {k: v for k, v in values.items() if k in FIELDS}
    return _check(patient, known, infusion_ids)[0]


def record_session(*, patient: Any, values: dict[str, Any], infusion_ids: list[int], by: User) -> IntegrationSession:
    """Record an integration therapy session, linked to infusions of the same patient held by its date."""
    require(Perm.RECORD_THERAPY, by, patient.clinic, to="record therapy sessions")
    errors, infusions = _check(patient, values, infusion_ids)
    if errors:
        raise ServiceError(f"Nothing was saved: {' '.join(errors.values())}", errors)
    course = infusions[0].course if infusions else patient.courses.order_by("-ordered_at").first()
    with transaction.atomic():
        session = IntegrationSession.objects.create(clinic=patient.clinic, patient=patient, course=course, therapist=by, **values)
        session.infusions.set(infusions)
        audit.record(action="therapy_record", by=by, clinic=patient.clinic, patient=patient, obj=session,
                     detail={"infusions": sorted(infusion_ids)})
    return session


def _state(session: IntegrationSession) -> dict[str, Any]:
    """The amendable content of a session, JSON-ready (what an amendment keeps before and after)."""
    out: dict[str, Any] = {f: getattr(session, f) for f in sorted(FIELDS)}
    out["held_on"] = session.held_on.isoformat()
    out["infusion_ids"] = sorted(i.pk for i in session.infusions.all())
    return out


def amend_session(*, session: IntegrationSession, values: dict[str, Any], infusion_ids: list[int] | None, reason: str,
                  by: User) -> TherapyAmendment:
    """Amend a session's record with a reason; the values before are kept and the change audited (ADR 0017)."""
    require(Perm.RECORD_THERAPY, by, session.clinic, to="amend therapy notes")
    merged = {f: getattr(session, f) for f in FIELDS} | values
    ids = sorted(i.pk for i in session.infusions.all()) if infusion_ids is None else infusion_ids
    errors, infusions = _check(session.patient, merged, ids)
    if len(reason.strip()) < MIN_REASON:
        errors["reason"] = f"Say why the note is amended (at least {MIN_REASON} characters)."
    if errors:
        raise ServiceError(f"The amendment was not saved: {' '.join(errors.values())}", errors)
    with transaction.atomic():
        locked = for_update(IntegrationSession.objects).get(pk=session.pk)
        before = _state(locked)
        IntegrationSession.objects.filter(pk=locked.pk).update(**values)
        locked.refresh_from_db()
        locked.infusions.set(infusions)
        after = _state(locked)
        if after == before:  # raising here rolls back the update above
            raise ServiceError("Nothing changed: the amendment would keep every value as it is.")
        amendment = TherapyAmendment.objects.create(clinic=session.clinic, session=locked, before=before, after=after,
                                                    reason=reason.strip(), amended_by=by, amended_at=datetime.now(UTC))
        audit.record(action="therapy_amend", by=by, clinic=session.clinic, patient=session.patient, obj=amendment,
                     detail={"session": session.pk, "fields": sorted(k for k in after if after[k] != before[k])})
    return amendment
