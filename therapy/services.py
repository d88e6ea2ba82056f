"""Every write of the therapy app: integration sessions."""

from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import transaction

from accounts.models import User
from accounts.permissions import Perm
from accounts.queries import require
from audit import services as audit
from infusions.models import InfusionSession
from toolkit.errors import ServiceError

from .fields import FIELDS
from .models import IntegrationSession


def record_session(*, patient: Any, values: dict[str, Any], infusion_ids: list[int], by: User) -> IntegrationSession:
    """Record an integration therapy session, linked to infusions of the same patient."""
    require(Perm.RECORD_THERAPY, by, patient.clinic, to="record therapy sessions")
    unknown = set(values) - FIELDS
    if unknown:
        raise ServiceError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    today = datetime.now(UTC).date()
    held_on = values.get("held_on")
    if held_on is None or held_on > today + timedelta(days=1) or held_on.year < today.year - 10:
        raise ServiceError("The session date must be within the last 10 years and not in the future.", {"held_on": "Out of range."})
    if not 10 <= int(values.get("duration_min") or 0) <= 240:
        raise ServiceError("A session lasts 10 to 240 minutes.", {"duration_min": "Out of range."})
    infusions = list(InfusionSession.objects.filter(patient=patient, pk__in=infusion_ids))
    if len(infusions) != len(set(infusion_ids)):
        raise ServiceError("Link only infusions of this patient.", {"infusions": "Unknown infusion."})
    course = infusions[0].course if infusions else patient.courses.order_by("-ordered_at").first()
    with transaction.atomic():
        session = IntegrationSession.objects.create(clinic=patient.clinic, patient=patient, course=course, therapist=by, **values)
        session.infusions.set(infusions)
        audit.record(action="therapy_record", by=by, clinic=patient.clinic, patient=patient, obj=session,
                     detail={"infusions": sorted(infusion_ids)})
    return session
