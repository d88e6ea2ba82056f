"""Every write of the courses app: protocol templates and course orders."""

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django.db import transaction
from django.db.models import Field

from accounts.actors import Actor
from accounts.models import Clinic, User
from accounts.permissions import Perm
from accounts.queries import require
from audit import services as audit
from clinical import dosing, settings_check
from clinical.errors import ClinicalError
from clinical.scheduling import CourseSpacing
from patients.choices import ScreeningOutcome
from patients.services import current_eligibility
from toolkit import readmodels
from toolkit.errors import ServiceError
from toolkit.locking import for_update

from .choices import CourseStatus
from .models import Protocol, TreatmentCourse
from .policy import dose_ceiling

PROTOCOL_FIELDS = {
    "name", "n_infusions", "min_hours_between", "max_span_days", "mg_per_kg", "infusion_min", "max_mg_per_kg",
    "max_total_mg", "weight_basis", "vial_mg_per_ml", "bag_volume_ml", "bp_every_min_infusing",
    "bp_every_min_recovering", "thresholds", "assessment_points", "active",
}


def _check_protocol(values: dict[str, Any], clinic: Clinic) -> None:
    """Refuse a protocol with any value out of range or limits that contradict each other, naming every problem."""
    whole = settings_check.check_protocol(values, ceiling_mg_per_kg=dose_ceiling(clinic))
    errors: dict[str, str] = {}
    try:
        CourseSpacing(n_infusions=values["n_infusions"], min_hours_between=values["min_hours_between"],
                      max_span_days=values["max_span_days"])
    except ClinicalError as exc:
        errors["max_span_days"] = str(exc)
    mg = Decimal(values["mg_per_kg"])
    if not Decimal("0.05") <= mg <= Decimal("2"):
        errors["mg_per_kg"] = "The dose must be between 0.05 and 2 mg/kg."
    errors.update(whole)
    if "infusion_min" not in errors and not 10 <= values["infusion_min"] <= 240:
        errors["infusion_min"] = "Infusion time must be 10 to 240 minutes."
    if "vial_mg_per_ml" not in errors and Decimal(values["vial_mg_per_ml"]) not in dosing.DoseLimits().vial_strengths_mg_per_ml:
        errors["vial_mg_per_ml"] = "Vial strength must be 10, 50 or 100 mg/mL."
    if "bag_volume_ml" not in errors and not Decimal("20") <= Decimal(values["bag_volume_ml"]) <= Decimal("500"):
        errors["bag_volume_ml"] = "Bag volume must be 20 to 500 mL."
    if errors:
        raise ServiceError("The protocol has values out of range or limits that contradict each other; nothing was saved.", errors)


def protocol_problems(*, clinic: Clinic, values: dict[str, Any]) -> dict[str, str]:
    """The kernel's whole-protocol problems among the values a form passed (for a form that refused some itself)."""
    return settings_check.check_protocol({k: v for k, v in values.items() if k in PROTOCOL_FIELDS},
                                         ceiling_mg_per_kg=dose_ceiling(clinic))


def _default_of(name: str) -> Any:
    """The model default of a protocol field."""
    return cast(Field, Protocol._meta.get_field(name)).get_default()


def save_protocol(*, clinic: Clinic, values: dict[str, Any], by: Actor, protocol: Protocol | None = None) -> Protocol:
    """Create a protocol template or change one (courses already ordered keep their copy)."""
    unknown = set(values) - PROTOCOL_FIELDS
    if unknown:
        raise ServiceError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    merged = {f: getattr(protocol, f) for f in PROTOCOL_FIELDS} if protocol else {f: _default_of(f) for f in PROTOCOL_FIELDS}
    merged.update(values)
    _check_protocol(merged, clinic)
    with transaction.atomic():
        if protocol is None:
            protocol = Protocol.objects.create(clinic=clinic, **values)
            action = "protocol_create"
        else:
            Protocol.objects.filter(pk=protocol.pk).update(**values)
            protocol.refresh_from_db()
            action = "protocol_update"
        audit.record(action=action, by=by, clinic=clinic, obj=protocol, detail={"fields": sorted(values)})
    return protocol


def snapshot(protocol: Protocol) -> dict[str, Any]:
    """The protocol's values as ordered, kept with the course."""
    return {f: (str(v) if isinstance(v, Decimal) else v) for f in PROTOCOL_FIELDS if (v := getattr(protocol, f)) is not None}


def limits_of(course_or_protocol: Any) -> dosing.DoseLimits:
    """The dose limits of a protocol (or the copy kept with a course)."""
    source = course_or_protocol.protocol_snapshot if isinstance(course_or_protocol, TreatmentCourse) else snapshot(course_or_protocol)
    return dosing.DoseLimits(max_mg_per_kg=Decimal(source["max_mg_per_kg"]), max_total_mg=Decimal(source["max_total_mg"]),
                             min_duration_min=Decimal(source["infusion_min"]),
                             ceiling_mg_per_kg=dose_ceiling(course_or_protocol.clinic))


def order_course(
    *, patient: Any, protocol: Protocol, mg_per_kg: Any = None, weight_basis: str | None = None,
    override_reason: str = "", notes: str = "", by: User, at: datetime | None = None,
) -> TreatmentCourse:
    """Order a course for a patient whose signed screening says eligible (prescribers only)."""
    require(Perm.ORDER_COURSE, by, patient.clinic, to="order a course")
    if protocol.clinic_id != patient.clinic_id or not protocol.active:
        raise ServiceError("Choose an active protocol of this clinic.", {"protocol": "Not available."})
    screening = current_eligibility(patient)
    if screening is None or screening.outcome != ScreeningOutcome.ELIGIBLE:
        raise ServiceError("A course can be ordered only for a patient with a signed eligible screening.")
    try:
        dose = Decimal(str(mg_per_kg if mg_per_kg not in (None, "") else protocol.mg_per_kg))
    except InvalidOperation:
        raise ServiceError("The dose must be a number.", {"mg_per_kg": "Not a number."}) from None
    if not dose.is_finite() or dose <= 0 or dose > Decimal("2"):
        raise ServiceError("The dose must be above 0 and at most 2 mg/kg.", {"mg_per_kg": "Out of range."})
    ceiling = dose_ceiling(patient.clinic)
    if dose > ceiling:
        raise ServiceError(f"{dose} mg/kg is above the clinic's hard ceiling of {ceiling} mg/kg, which no override "
                           "passes.", {"mg_per_kg": f"At most {ceiling} mg/kg."})
    reason = override_reason.strip()
    if dose > protocol.max_mg_per_kg and not reason:
        raise ServiceError(f"{dose} mg/kg is above the protocol limit of {protocol.max_mg_per_kg} mg/kg; "
                           "a written override reason is required.", {"override_reason": "Required above the limit."})
    if dose > protocol.max_mg_per_kg:
        try:
            reason = dosing.check_override_reason(reason)
        except ClinicalError as exc:
            raise ServiceError(str(exc), {"override_reason": str(exc)}) from None
    with transaction.atomic():
        # Lock the patient so two orders at once cannot both find no active course.
        for_update(type(patient).objects.filter(pk=patient.pk)).first()
        if patient.courses.filter(status=CourseStatus.ACTIVE).exists():
            raise ServiceError("This patient already has an active course; complete or stop it first.")
        course = TreatmentCourse.objects.create(
            clinic=patient.clinic, patient=patient, protocol=protocol, protocol_snapshot=snapshot(protocol),
            screening=screening, mg_per_kg=dose, weight_basis=weight_basis or protocol.weight_basis,
            override_reason=reason if dose > protocol.max_mg_per_kg else "", notes=notes,
            ordered_by=by, ordered_at=at or datetime.now(UTC),
        )
        audit.record(action="course_order", by=by, clinic=patient.clinic, patient=patient, obj=course,
                     detail={"mg_per_kg": str(dose), "override": bool(course.override_reason)})
        readmodels.course_changed(course.pk, sender=order_course)
    return course


def end_course(*, course: TreatmentCourse, status: str, reason: str = "", by: Actor) -> TreatmentCourse:
    """Mark a course completed or stopped (prescribers only)."""
    require(Perm.END_COURSE, by, course.clinic, to="end a course")
    if status not in (CourseStatus.COMPLETED, CourseStatus.STOPPED):
        raise ServiceError("A course can end as completed or stopped.")
    if course.status != CourseStatus.ACTIVE:
        raise ServiceError("This course has already ended.")
    if status == CourseStatus.STOPPED and not reason.strip():
        raise ServiceError("Give a reason for stopping the course.", {"reason": "Required."})
    with transaction.atomic():
        TreatmentCourse.objects.filter(pk=course.pk).update(status=status, ended_at=datetime.now(UTC),
                                                            notes=(course.notes + "\n" + reason).strip())
        audit.record(action="course_end", by=by, clinic=course.clinic, patient=course.patient_id, obj=course,
                     detail={"status": status, "reason": reason})
        readmodels.course_changed(course.pk, sender=end_course)
    course.refresh_from_db()
    return course


def spacing_of(course: TreatmentCourse) -> CourseSpacing:
    s = course.protocol_snapshot
    return CourseSpacing(n_infusions=int(s["n_infusions"]), min_hours_between=int(s["min_hours_between"]),
                         max_span_days=int(s["max_span_days"]))
