"""The dose of a session: planned by the kernel at check-in, overridden by a prescriber, verified by a second clinician."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction

from accounts import services as accounts
from accounts.actors import Actor
from accounts.models import User
from accounts.permissions import Perm, has_perm
from accounts.queries import require, role_of
from audit import services as audit
from clinical import dosing
from clinical import session_flow as flow
from clinical.dose_preview import preview_dose
from clinical.errors import ClinicalError
from courses.defaults import snapshot_value
from courses.services import limits_of
from toolkit.errors import ServiceError

from ..choices import SessionState
from ..models import InfusionSession
from .common import decimal, locked, move, save_fields, text, when


def dose_inputs(session: InfusionSession, weight_kg: Decimal) -> dosing.DoseInputs:
    """The kernel's inputs: the course's order, the protocol's pump set-up and today's weight."""
    snap, patient = session.course.protocol_snapshot, session.patient
    sex = patient.sex if patient.sex in {s.value for s in dosing.Sex} else "unknown"
    try:
        return dosing.DoseInputs(
            mg_per_kg=Decimal(session.course.mg_per_kg), actual_weight_kg=weight_kg,
            vial_mg_per_ml=Decimal(str(snapshot_value(snap, "vial_mg_per_ml"))), basis=dosing.WeightBasis(session.course.weight_basis),
            height_cm=Decimal(patient.height_cm) if patient.height_cm else None, sex=dosing.Sex(sex),
            bag_volume_ml=Decimal(str(snapshot_value(snap, "bag_volume_ml"))), duration_min=Decimal(str(snapshot_value(snap, "infusion_min"))),
        )
    except ClinicalError as exc:
        raise ServiceError(str(exc), {"weight_kg": str(exc)}) from None


def plan_json(plan: dosing.DosePlan) -> dict[str, Any]:
    """The plan as stored with the session: inputs, limits, figures, arithmetic and any limits passed."""
    i, lim = plan.inputs, plan.limits
    return {
        "inputs": {"mg_per_kg": str(i.mg_per_kg), "actual_weight_kg": str(i.actual_weight_kg),
                   "vial_mg_per_ml": str(i.vial_mg_per_ml), "basis": i.basis.value,
                   "height_cm": None if i.height_cm is None else str(i.height_cm),
                   "sex": None if i.sex is None else i.sex.value, "bag_volume_ml": str(i.bag_volume_ml),
                   "duration_min": str(i.duration_min)},
        "limits": {"max_mg_per_kg": str(lim.max_mg_per_kg), "max_total_mg": str(lim.max_total_mg),
                   "min_duration_min": str(lim.min_duration_min), "ceiling_mg_per_kg": str(lim.ceiling_mg_per_kg)},
        "weight_used_kg": str(plan.weight_used_kg), "ideal_weight_kg": None if plan.ideal_weight_kg is None else str(plan.ideal_weight_kg),
        "total_mg": str(plan.total_mg), "volume_drawn_ml": str(plan.volume_drawn_ml), "bag_mg_per_ml": str(plan.bag_mg_per_ml),
        "rate_ml_per_h": str(plan.rate_ml_per_h), "steps": list(plan.steps), "notes": list(plan.notes),
        "exceeded_limits": list(plan.exceeded_limits), "overridden": plan.overridden,
    }


def _replan(dose: dict[str, Any], override_reason: str) -> dosing.DosePlan:
    i, lim = dose["inputs"], dose["limits"]
    try:
        inputs = dosing.DoseInputs(
            mg_per_kg=Decimal(i["mg_per_kg"]), actual_weight_kg=Decimal(i["actual_weight_kg"]),
            vial_mg_per_ml=Decimal(i["vial_mg_per_ml"]), basis=dosing.WeightBasis(i["basis"]),
            height_cm=Decimal(i["height_cm"]) if i["height_cm"] else None, sex=dosing.Sex(i["sex"]) if i["sex"] else None,
            bag_volume_ml=Decimal(i["bag_volume_ml"]), duration_min=Decimal(i["duration_min"]))
        limits = dosing.DoseLimits(max_mg_per_kg=Decimal(lim["max_mg_per_kg"]), max_total_mg=Decimal(lim["max_total_mg"]),
                                   min_duration_min=Decimal(lim["min_duration_min"]),
                                   ceiling_mg_per_kg=Decimal(lim.get("ceiling_mg_per_kg", dosing.DEFAULT_CEILING_MG_PER_KG)))
        return dosing.plan_dose(inputs, limits, override_reason=override_reason or None)
    except ClinicalError as exc:
        raise ServiceError(str(exc)) from None


def stored_plan(session: InfusionSession) -> dosing.DosePlan:
    """Re-plan the stored dose with the kernel (for the second clinician's check)."""
    if not session.dose or session.total_mg is None:
        raise ServiceError("There is no dose to verify yet.")
    return _replan(session.dose, session.dose_override_reason)


def plan_for_checkin(session: InfusionSession, weight_kg: Decimal) -> tuple[dict[str, Any], bool]:
    """Plan the dose at check-in; return (stored plan, needs a prescriber's override)."""
    inputs = dose_inputs(session, weight_kg)
    try:
        plan = preview_dose(inputs, limits_of(session.course))
    except ClinicalError as exc:
        raise ServiceError(f"The dose cannot be planned: {exc}", {"weight_kg": str(exc)}) from None
    return plan_json(plan), bool(plan.exceeded_limits)


def override_dose(*, session: InfusionSession, reason: str, at: datetime | None = None, by: Actor) -> InfusionSession:
    """Accept a dose above the protocol limits with the prescriber's written reason (CLINICAL.md section 2)."""
    require(Perm.OVERRIDE_SAFETY_LIMITS, by, session.clinic, to="override a dose above the protocol limits")
    reason = text(reason, "reason", required=True, label="The override reason")
    try:
        reason = dosing.check_override_reason(reason)
    except ClinicalError as exc:
        raise ServiceError(str(exc), {"reason": str(exc)}) from None
    moment = when(at)
    with transaction.atomic():
        session = locked(session)
        if session.state != SessionState.CHECKED_IN or not session.dose.get("exceeded_limits") or session.total_mg is not None:
            raise ServiceError("Only a checked-in session whose dose is above the protocol limits needs an override.")
        plan = _replan(session.dose, reason)
        stored = plan_json(plan) | {"override_at": moment.isoformat()}
        save_fields(
            session, dose=stored, total_mg=plan.total_mg, rate_ml_per_h=plan.rate_ml_per_h,
            dose_override_reason=reason, dose_override_by=by)
        audit.record(action="session_dose_override", by=by, clinic=session.clinic, patient=session.patient_id,
                     obj=session, detail={"reason": reason, "exceeded": list(plan.exceeded_limits)})
    return session


def _proven_verifier(session: InfusionSession, username: Any, password: Any) -> User:
    """The second clinician, who proves who they are at the check with their own password (as a waste witness does).

    Runs before the write's transaction, so a wrong password counts towards their lockout
    (accounts.services.sign_in) and is audited although nothing is recorded (ADR 0016).
    """
    name = text(username, "verifier", limit=150, required=True, label="The second clinician's username")
    user = User.objects.filter(username=name, is_active=True, memberships__clinic=session.clinic,
                               memberships__active=True).first()
    if user is None:
        raise ServiceError("No active staff member of this clinic has that username; nothing was recorded.",
                           {"verifier": "Unknown in this clinic."})
    if not has_perm(role_of(user, session.clinic), Perm.VERIFY_DOSE):
        raise ServiceError(f"{user.username} is not authorised to verify doses in this clinic; nothing was recorded.",
                           {"verifier": "Not authorised to verify doses."})
    if session.checked_in_by_id == user.pk:
        raise ServiceError("The dose must be verified by a different clinician from the one who checked the patient in "
                           "and calculated it.", {"verifier": "Must be a second clinician."})
    if not str(password or ""):
        raise ServiceError("The second clinician types their own password to verify.", {"verifier_password": "Required."})
    try:
        accounts.sign_in(request=None, username=user.username, password=str(password))
    except ServiceError as exc:
        locked = isinstance(exc, accounts.AccountLocked)  # the sign-in answer itself never tells (ADR 0018)
        what = "is locked out after repeated failed passwords" if locked else "did not confirm: wrong password"
        raise ServiceError(f"{user.username} {what}; nothing was recorded.",
                           {"verifier_password": "Account locked." if locked else "Wrong password."}) from None
    return user


def verify_dose(*, session: InfusionSession, total_mg: Any, rate_ml_per_h: Any, verifier: Any, verifier_password: Any,
                at: datetime | None = None, by: Actor) -> InfusionSession:
    """A second clinician, proven by their own password, types the total and rate they computed; any mismatch blocks
    the start and says only that the figures differ, never the plan's (ADR 0003, ADR 0016)."""
    require(Perm.VERIFY_DOSE, by, session.clinic, to="verify a dose")
    typed_total = decimal(total_mg, "total_mg", places=1, label="Total dose (mg)")
    typed_rate = decimal(rate_ml_per_h, "rate_ml_per_h", places=1, label="Pump rate (mL/h)")
    moment = when(at)
    checker = _proven_verifier(session, verifier, verifier_password)
    with transaction.atomic():
        session = locked(session)
        if session.checked_in_by_id == checker.pk:
            raise ServiceError("The dose must be verified by a different clinician from the one who checked the patient in "
                               "and calculated it.", {"verifier": "Must be a second clinician."})
        if session.state == SessionState.CHECKED_IN and session.total_mg is None and session.dose.get("exceeded_limits"):
            raise ServiceError("The dose is above the protocol limits: a prescriber must override it with a reason first.")
        if session.state == SessionState.CHECKED_IN:
            mismatches = dosing.check_independent_verification(stored_plan(session), typed_total, typed_rate)
            if mismatches:
                raise ServiceError("The second check does not match the plan; the infusion cannot start. "
                                   + " ".join(mismatches) + " Work the figures out again from the order; nothing was "
                                   "recorded.", {name: "Differs from the plan." for name in mismatch_fields(mismatches)})
        move(session, flow.Action.VERIFY_DOSE, at=moment, by=checker, dose_verified_by=checker, dose_verified_at=moment,
             detail={"total_mg": str(typed_total), "rate_ml_per_h": str(typed_rate), "verifier": checker.username,
                     "entered_by": getattr(by, "username", str(by)), "proof": "password"})
    return session


def mismatch_fields(mismatches: list[str]) -> list[str]:
    """The form fields of the kernel's mismatches (total first, then rate)."""
    return [name for name, word in (("total_mg", "Total dose"), ("rate_ml_per_h", "Pump rate"))
            if any(m.startswith(word) for m in mismatches)]
