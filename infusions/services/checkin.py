"""Check-in: the pre-infusion checklist, today's weight, baseline vitals and the kernel's dose plan."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction

from accounts.actors import Actor
from accounts.permissions import Perm
from accounts.queries import require
from clinical import session_flow as flow
from clinical.errors import ClinicalError
from clinical.weights import WeightCheck, WeightPolicy, check_reason, check_weight
from measures import queries as measures
from toolkit.errors import ServiceError

from .. import policy
from ..choices import PregnancyTest
from ..models import InfusionSession
from .common import decimal, locked, move, text, when
from .dose import plan_for_checkin
from .gate import require_alerts_reviewed
from .vitals import TimedValues, parse_values, store_readings

BASELINE_REQUIRED = ("systolic_mmhg", "diastolic_mmhg", "heart_rate_bpm", "spo2_pct")


@dataclass(frozen=True)
class DueItem:
    """An assessment due before this infusion (from the measures app)."""

    key: str
    label: str


def _due_key(item: Any) -> DueItem:
    slot = getattr(item, "slot", None)
    if slot is not None:
        key = f"{slot.point_key}_{slot.occurrence}_{slot.instrument}"
        return DueItem(key, f"{slot.instrument.upper()} ({getattr(item, 'label', slot.point_key)})")
    key = str(getattr(item, "key", None) or (item.get("key") if isinstance(item, dict) else item))
    label = getattr(item, "label", None) or (item.get("label") if isinstance(item, dict) else None) or key
    return DueItem(key, str(label))


def due_assessments(session: InfusionSession, at: datetime | None = None) -> list[DueItem]:
    """Assessments due before the session (`measures.queries.due_before_session`; `at` defaults to now)."""
    return [_due_key(item) for item in measures.due_before_session(session, now=at)]


def pregnancy_test_required(session: InfusionSession) -> bool:
    """Whether a negative test is needed: the protocol's own rule when it has one, else the clinic's setting."""
    snap = session.course.protocol_snapshot
    if "pregnancy_test_required" in snap:
        return bool(snap["pregnancy_test_required"])
    rule = policy.value(session.clinic, "infusion_pregnancy_test")
    return rule == "everyone" or (rule == "female" and session.patient.sex == "female")


def _checklist_errors(session: InfusionSession, *, identity_confirmed: bool, consent_current: bool,
                      fasting_confirmed: bool, pregnancy_test: str, escort: tuple[str, str],
                      waivers: Mapping[str, str], at: datetime) -> tuple[dict[str, str], dict[str, Any]]:
    errors: dict[str, str] = {}
    if identity_confirmed is not True:
        errors["identity_confirmed"] = "Confirm the patient's identity (name and date of birth)."
    if consent_current is not True:
        errors["consent_current"] = "Confirm that the patient's consent is current."
    fasting_hours = policy.value(session.clinic, "infusion_fasting_hours")
    if fasting_hours and fasting_confirmed is not True:
        errors["fasting_confirmed"] = f"Confirm the patient has fasted for {fasting_hours} h (clinic rule)."
    needs_test = pregnancy_test_required(session)
    if pregnancy_test not in PregnancyTest.values:
        errors["pregnancy_test"] = "Choose the pregnancy test result."
    elif needs_test and pregnancy_test == PregnancyTest.POSITIVE:
        errors["pregnancy_test"] = "A positive pregnancy test is an absolute contraindication: do not infuse; tell the prescriber."
    elif needs_test and pregnancy_test != PregnancyTest.NEGATIVE:
        errors["pregnancy_test"] = "A negative pregnancy test is required before this infusion."
    if not escort[0] or not escort[1]:
        errors["escort"] = "A responsible adult escort must be present, with a contact number."
    waived = {}
    for item in due_assessments(session, at):
        reason = text(waivers.get(item.key, ""), f"waive_{item.key}", limit=500)
        if reason:
            waived[item.key] = reason
        else:
            errors[f"waive_{item.key}"] = f"{item.label} is due before this infusion: complete it or waive it with a reason."
    checklist = {"identity_confirmed": True, "consent_current": True, "fasting_confirmed": bool(fasting_confirmed),
                 "fasting_hours_rule": fasting_hours, "pregnancy_test": pregnancy_test,
                 "pregnancy_test_required": needs_test, "assessments_waived": waived}
    return errors, checklist


def last_weight_kg(session: InfusionSession) -> Decimal | None:
    """The patient's last recorded weight: the latest other check-in's, else the chart's (intake)."""
    from ..models import InfusionSession as Session

    earlier = (Session.objects.filter(clinic=session.clinic, patient=session.patient_id, checkin_weight_kg__isnull=False)
               .exclude(pk=session.pk).order_by("-checked_in_at").values_list("checkin_weight_kg", flat=True).first())
    return earlier if earlier is not None else session.patient.weight_kg


def _weight_errors(session: InfusionSession, weight: Decimal, confirmed: bool, reason: str) -> tuple[dict[str, str], dict[str, Any]]:
    """Compare today's weight with the last (clinical.weights); a concern needs confirming with a reason."""
    policy_ = WeightPolicy(max_change_pct=Decimal(policy.value(session.clinic, "infusion_weight_change_pct")))
    try:
        found: WeightCheck = check_weight(weight, last_weight_kg(session), policy_)
    except ClinicalError as exc:
        return {"weight_kg": str(exc)}, {}
    record: dict[str, Any] = {"weight_kg": str(weight), "last_weight_kg": None if found.last_weight_kg is None
                              else str(found.last_weight_kg), "max_change_pct": str(policy_.max_change_pct)}
    if not found.needs_confirmation:
        return {}, record
    errors: dict[str, str] = {}
    if confirmed is not True:
        errors["weight_confirmed"] = " ".join(found.concerns) + " Weigh again, or confirm the weight with a reason."
    try:
        record |= {"concerns": list(found.concerns), "confirmed_reason": check_reason(reason, "Confirming this weight")}
    except ClinicalError as exc:
        errors["weight_reason"] = str(exc)
    return errors, record


def check_in(*, session: InfusionSession, weight_kg: Any, identity_confirmed: bool, consent_current: bool,
             escort_name: str, escort_phone: str, baseline: Mapping[str, Any], fasting_confirmed: bool = False,
             pregnancy_test: str = PregnancyTest.NOT_APPLICABLE, waivers: Mapping[str, str] | None = None,
             weight_confirmed: bool = False, weight_reason: str = "",
             at: datetime | None = None, by: Actor) -> InfusionSession:
    """Check the patient in: checklist, weight, baseline vitals, and the dose the kernel plans from them.

    Today's weight is refused outside 30-300 kg; a change from the last recorded
    weight beyond the clinic's limit, or a ratio near 2.2, needs ``weight_confirmed``
    with a ``weight_reason`` (clinical.weights, CLINICAL.md section 2).
    """
    require(Perm.CHECK_IN, by, session.clinic, to="check patients in")
    require_alerts_reviewed(session, "Check-in")
    moment = when(at)
    weight = decimal(weight_kg, "weight_kg", places=1, label="Today's weight (kg)")
    escort = (text(escort_name, "escort_name", limit=120), text(escort_phone, "escort_phone", limit=32))
    errors, checklist = _checklist_errors(session, identity_confirmed=identity_confirmed, consent_current=consent_current,
                                          fasting_confirmed=fasting_confirmed, pregnancy_test=pregnancy_test,
                                          escort=escort, waivers=waivers or {}, at=moment)
    weight_errors, checklist["weight_check"] = _weight_errors(session, weight, weight_confirmed,
                                                              text(weight_reason, "weight_reason", limit=500))
    errors |= weight_errors
    errors |= {name: "Required at check-in." for name in BASELINE_REQUIRED if str(baseline.get(name) or "").strip() == ""}
    if errors:
        raise ServiceError("Check-in is not complete; nothing was saved.", errors)
    reading = parse_values(baseline)
    with transaction.atomic():
        session = locked(session)
        require_alerts_reviewed(session, "Check-in")  # again under the session lock
        dose, needs_override = plan_for_checkin(session, weight)
        plan_total = None if needs_override else Decimal(dose["total_mg"])
        move(session, flow.Action.CHECK_IN, at=moment, by=by, checked_in_at=moment, checked_in_by=by,
             checkin_weight_kg=weight, escort_name=escort[0], escort_phone=escort[1], checklist=checklist,
             dose=dose, total_mg=plan_total, rate_ml_per_h=None if needs_override else Decimal(dose["rate_ml_per_h"]),
             detail={"weight_kg": str(weight), "needs_override": needs_override})
        store_readings(session, [TimedValues(moment, reading)], source="typed", by=by)
    return session
