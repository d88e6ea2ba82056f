"""Check infusion bookings against course spacing and chair availability.

The default course is 6 infusions, 3 a week over 2 weeks (Feder 2021,
CLINICAL.md section 2), e.g. Monday / Wednesday / Friday. Spacing values are
Policy (clinic settings):

* ``min_hours_between`` (default 44): the least time between the starts of
  two infusions of one course. Every other day at the same hour is 48 h; 44 h
  leaves 4 h to move a session earlier in the day, and still refuses two
  infusions on consecutive days within clinic hours.
* ``max_span_days`` (default 14): the most time from the first infusion's
  start to the last one's.

Another template, 8 infusions twice weekly (Abdallah 2022), is the same
dataclass with other values. All arithmetic is on UTC instants, so a
daylight-saving change cannot hide a short gap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from clinical.errors import ClinicalError


def _require_aware(value: datetime, what: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ClinicalError(f"{what} must carry a time zone (got {value.isoformat()}).")


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _shown(value: datetime, zone: tzinfo | None = None) -> str:
    """A time as the clinic reads it: in its zone when given, with the zone's name."""
    local = value.astimezone(zone) if zone is not None else value
    return local.strftime("%a %d %b %Y %H:%M %Z").strip()


def _until(start: datetime, end: datetime, zone: tzinfo | None) -> str:
    """The end of an interval, as a clock time only when it falls on the start's local day."""
    local_start = start.astimezone(zone) if zone is not None else start
    local_end = end.astimezone(zone) if zone is not None else end
    return local_end.strftime("%H:%M") if local_end.date() == local_start.date() else _shown(end, zone)


def _duration(value: timedelta) -> str:
    minutes = int(value.total_seconds() // 60)
    return f"{minutes // 60} h {minutes % 60:02d} min"


@dataclass(frozen=True)
class CourseSpacing:
    """Spacing rules of a course template (Feder 2021 default; values are Policy)."""

    n_infusions: int = 6
    min_hours_between: int = 44
    max_span_days: int = 14

    def __post_init__(self) -> None:
        if self.n_infusions < 1:
            raise ClinicalError("A course needs at least one infusion.")
        if self.min_hours_between < 0 or self.max_span_days < 0:
            raise ClinicalError("Spacing hours and span days cannot be negative.")
        if (self.n_infusions - 1) * self.min_hours_between > self.max_span_days * 24:
            raise ClinicalError(
                f"{self.n_infusions} infusions at least {self.min_hours_between} h apart "
                f"cannot fit in {self.max_span_days} days."
            )

    @property
    def min_gap(self) -> timedelta:
        return timedelta(hours=self.min_hours_between)

    @property
    def max_span(self) -> timedelta:
        return timedelta(days=self.max_span_days)


@dataclass(frozen=True)
class Booking:
    """One infusion session booked on one chair, as a half-open interval [starts_at, ends_at).

    ``session_id`` identifies the session (pass ``str(pk)``); a booking whose
    id matches the new one is treated as the same session being moved.
    ``patient``, ``chair_name`` and ``number`` are what a refusal names (the
    patient, the chair, the infusion's number in its course), never the ids.
    """

    session_id: str
    chair_id: str
    starts_at: datetime
    ends_at: datetime
    patient: str = ""
    chair_name: str = ""
    number: int = 0

    def __post_init__(self) -> None:
        _require_aware(self.starts_at, "A booking's start")
        _require_aware(self.ends_at, "A booking's end")
        if _utc(self.ends_at) <= _utc(self.starts_at):
            raise ClinicalError(
                f"Session {self.session_id}: the end ({_shown(self.ends_at)}) must be after "
                f"the start ({_shown(self.starts_at)})."
            )

    def overlaps(self, other: Booking) -> bool:
        """Say whether two half-open intervals share any instant (end == start does not)."""
        return _utc(self.starts_at) < _utc(other.ends_at) and _utc(other.starts_at) < _utc(self.ends_at)


def _named(b: Booking) -> str:
    return f"infusion {b.number}" if b.number else f"session {b.session_id}"


def _too_close(new: Booking, others: Sequence[Booking], spacing: CourseSpacing) -> list[Booking]:
    return [o for o in others if abs(_utc(new.starts_at) - _utc(o.starts_at)) < spacing.min_gap]


def _course_problems(new: Booking, others: Sequence[Booking], spacing: CourseSpacing, zone: tzinfo | None) -> list[str]:
    problems = []
    # Course size and spacing: CourseSpacing (CLINICAL.md section 2, Policy values).
    if len(others) >= spacing.n_infusions:
        problems.append(f"The course already has {len(others)} of {spacing.n_infusions} infusions booked.")
    for other in _too_close(new, others, spacing):
        gap = abs(_utc(new.starts_at) - _utc(other.starts_at))
        problems.append(
            f"Starts {_duration(gap)} from {_named(other)} ({_shown(other.starts_at, zone)}); "
            f"infusions of a course must be at least {spacing.min_hours_between} h apart."
        )
    starts = [_utc(b.starts_at) for b in (*others, new)]
    if max(starts) - min(starts) > spacing.max_span:
        problems.append(
            f"The course would span {_duration(max(starts) - min(starts))} from first to last infusion; "
            f"the limit is {spacing.max_span_days} days."
        )
    return problems


def _chair_problems(new: Booking, others: Sequence[Booking], zone: tzinfo | None) -> list[str]:
    chair = new.chair_name or f"Chair {new.chair_id}"
    return [
        f"{chair} is already booked for {other.patient or 'another patient'} ({_named(other)}) "
        f"from {_shown(other.starts_at, zone)} to {_until(other.starts_at, other.ends_at, zone)}."
        for other in others
        if other.chair_id == new.chair_id and new.overlaps(other)
    ]


def booking_problems(
    new: Booking,
    *,
    course_bookings: Sequence[Booking],
    chair_bookings: Sequence[Booking],
    spacing: CourseSpacing,
    zone: tzinfo | None = None,
) -> tuple[str, ...]:
    """List every reason the new booking cannot be made, each conflicting booking once; empty when it can.

    Times are shown in ``zone`` (the clinic's) when given. A booking of the same course that is too
    close is named by the spacing rule and not again as a chair clash.
    """
    course = [b for b in course_bookings if b.session_id != new.session_id]
    named = {b.session_id for b in _too_close(new, course, spacing)}
    chair = [b for b in chair_bookings if b.session_id != new.session_id and b.session_id not in named]
    return (*_course_problems(new, course, spacing, zone), *_chair_problems(new, chair, zone))


def check_booking(
    new: Booking,
    *,
    course_bookings: Sequence[Booking],
    chair_bookings: Sequence[Booking],
    spacing: CourseSpacing,
    zone: tzinfo | None = None,
) -> None:
    """Refuse a booking that breaks course spacing or double-books a chair.

    ``course_bookings`` are the other sessions of the same course;
    ``chair_bookings`` the sessions on the chair (other chairs are ignored).
    All problems found are named in one ClinicalError message.
    """
    problems = booking_problems(
        new, course_bookings=course_bookings, chair_bookings=chair_bookings, spacing=spacing, zone=zone
    )
    if problems:
        raise ClinicalError(" ".join(problems))


def suggest_schedule(
    first_start: datetime,
    spacing: CourseSpacing,
    weekdays: tuple[int, ...] = (0, 2, 4),
) -> list[datetime]:
    """Propose start times for the rest of a course after its first infusion.

    Each proposal is on one of ``weekdays`` (Monday = 0; default Mon/Wed/Fri,
    3 a week per Feder 2021, CLINICAL.md section 2), at the same local clock
    time as the first, the earliest such day that keeps ``min_hours_between``
    from the previous one. Chairs are not considered: book each with
    ``check_booking``. Refuses when the course cannot fit in ``max_span_days``.
    """
    _require_aware(first_start, "The first infusion's start")
    if not weekdays or any(d not in range(7) for d in weekdays):
        raise ClinicalError("Weekdays must be a non-empty choice of 0 (Monday) to 6 (Sunday).")
    proposals: list[datetime] = []
    previous, day = first_start, first_start
    while len(proposals) < spacing.n_infusions - 1:
        day += timedelta(days=1)  # aware arithmetic keeps the local clock time
        if day.weekday() in weekdays and _utc(day) - _utc(previous) >= spacing.min_gap:
            proposals.append(day)
            previous = day
        if _utc(day) - _utc(first_start) > spacing.max_span:
            raise ClinicalError(
                f"{spacing.n_infusions} infusions on weekdays {sorted(set(weekdays))} at least "
                f"{spacing.min_hours_between} h apart do not fit in {spacing.max_span_days} days "
                f"from {_shown(first_start)}."
            )
    return proposals
