"""Nurse shifts and their exceptions, patients' weekly availability and the waiting list (issue 12)."""

from datetime import UTC, date, datetime, time
from typing import Any

from django.db import transaction

from accounts.choices import Role
from accounts.permissions import Perm
from accounts.queries import require, role_of
from audit import services as audit
from toolkit.errors import ServiceError

from ..models import NurseShift, PatientAvailability, ShiftException, WaitingListEntry


def _span(starts: Any, ends: Any, field: str = "ends") -> tuple[time, time]:
    if not isinstance(starts, time) or not isinstance(ends, time):
        raise ServiceError("Give a start and an end time.", {field: "Required."})
    if starts.tzinfo is not None or ends.tzinfo is not None:
        raise ServiceError("Give clinic local times (HH:MM) without a time zone.", {field: "No zone."})
    if ends <= starts:
        raise ServiceError("The end must be after the start.", {field: "Must be after the start."})
    return starts, ends


def _weekday(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 6:
        raise ServiceError("Choose a weekday.", {"weekday": "Monday (0) to Sunday (6)."})
    return value


def _require_nurse(clinic: Any, nurse: Any) -> None:
    if role_of(nurse, clinic) != Role.NURSE:
        raise ServiceError("Choose an infusion nurse of this clinic.", {"nurse": "Not a nurse of this clinic."})


def add_nurse_shift(*, clinic: Any, nurse: Any, weekday: int, starts: time, ends: time, by: Any) -> NurseShift:
    """Add a weekly shift to a nurse's pattern; shifts of one nurse on one weekday may not overlap."""
    require(Perm.MANAGE_NURSE_SHIFTS, by, clinic, to="record nurse shifts")
    _require_nurse(clinic, nurse)
    weekday, (starts, ends) = _weekday(weekday), _span(starts, ends)
    with transaction.atomic():
        clash = NurseShift.objects.in_clinic(clinic).filter(nurse=nurse, weekday=weekday, active=True,
                                                            starts__lt=ends, ends__gt=starts).exists()
        if clash:
            raise ServiceError("This overlaps another shift of the nurse on that weekday.", {"starts": "Overlaps."})
        shift = NurseShift.objects.create(clinic=clinic, nurse=nurse, weekday=weekday, starts=starts, ends=ends)
        audit.record(action="shift_add", by=by, clinic=clinic, obj=shift,
                     detail={"nurse": nurse.username, "weekday": weekday, "starts": str(starts), "ends": str(ends)})
    return shift


def remove_nurse_shift(*, shift: NurseShift, by: Any) -> None:
    """End a weekly shift (kept for the record, no longer planned on)."""
    require(Perm.MANAGE_NURSE_SHIFTS, by, shift.clinic, to="record nurse shifts")
    with transaction.atomic():
        NurseShift.objects.filter(pk=shift.pk).update(active=False)
        audit.record(action="shift_remove", by=by, clinic=shift.clinic, obj=shift)


def set_shift_exception(*, clinic: Any, nurse: Any, on: date, starts: time | None, ends: time | None,
                        reason: str = "", by: Any) -> ShiftException:
    """Replace the nurse's weekly shifts on one date: another shift, or a day off when no times are given."""
    require(Perm.MANAGE_NURSE_SHIFTS, by, clinic, to="record nurse shifts")
    _require_nurse(clinic, nurse)
    if not isinstance(on, date):
        raise ServiceError("Give the date.", {"on": "Required."})
    if starts is not None or ends is not None:
        starts, ends = _span(starts, ends)
    with transaction.atomic():
        row, _ = ShiftException.objects.update_or_create(
            clinic=clinic, nurse=nurse, on=on, defaults={"starts": starts, "ends": ends, "reason": reason[:200]})
        audit.record(action="shift_exception", by=by, clinic=clinic, obj=row,
                     detail={"nurse": nurse.username, "on": on.isoformat(), "off": starts is None})
    return row


def set_patient_availability(*, patient: Any, windows: list[tuple[int, time, time]], by: Any) -> list:
    """Replace the patient's weekly availability windows (an empty list means any time the clinic is open)."""
    require(Perm.RECORD_AVAILABILITY, by, patient.clinic, to="record patient availability")
    checked = [(_weekday(w), *_span(s, e)) for w, s, e in windows]
    with transaction.atomic():
        PatientAvailability.objects.filter(patient=patient).delete()
        rows = [PatientAvailability.objects.create(clinic=patient.clinic, patient=patient, weekday=w, starts=s, ends=e)
                for w, s, e in checked]
        audit.record(action="availability_set", by=by, clinic=patient.clinic, patient=patient.pk,
                     detail={"windows": [[w, str(s), str(e)] for w, s, e in checked]})
    return rows


def join_waiting_list(*, course: Any, note: str = "", by: Any, now: datetime | None = None) -> WaitingListEntry:
    """Put a course on the waiting list for an earlier slot."""
    require(Perm.MANAGE_WAITING_LIST, by, course.clinic, to="manage the waiting list")
    with transaction.atomic():
        if WaitingListEntry.objects.filter(course=course, removed_at__isnull=True).exists():
            raise ServiceError("This course is already on the waiting list.")
        entry = WaitingListEntry.objects.create(clinic=course.clinic, course=course, note=note[:200],
                                                added_at=now or datetime.now(UTC), added_by=by)
        audit.record(action="waiting_join", by=by, clinic=course.clinic, patient=course.patient_id, obj=entry)
    return entry


def leave_waiting_list(*, entry: WaitingListEntry, by: Any, now: datetime | None = None) -> None:
    require(Perm.MANAGE_WAITING_LIST, by, entry.clinic, to="manage the waiting list")
    with transaction.atomic():
        WaitingListEntry.objects.filter(pk=entry.pk, removed_at__isnull=True).update(
            removed_at=now or datetime.now(UTC))
        audit.record(action="waiting_leave", by=by, clinic=entry.clinic, patient=entry.course.patient_id, obj=entry)
