"""Plan a course's assessment points as dated windows and tell which are due.

A protocol names its assessment points (issue 3 defaults: baseline before the
first infusion, before each infusion, 24 h after the first, end of course, and
follow-ups 1 week, 1 month and 3 months after the last infusion). Each point is
anchored to the first, each or the last infusion of the course with an offset
in hours, and lists the instruments to give (CLINICAL.md s4).

Window rule (how long an item stays due or overdue is Policy, see
``ScheduleWindows``):

* A point *before* its anchor (negative offset) opens at the anchor's booked
  time plus the offset and is due by the booked time; it stays overdue until
  the infusion starts (or ``overdue_hours`` after the booked time if it has not
  started), after which a "before" measure can no longer be taken: missed.
* A point *at or after* its anchor opens at the anchor's time (actual start if
  known, else booked) plus the offset, is due for ``due_window_hours``, then
  overdue for ``overdue_hours``, then missed.

An item is done when an assessment of its instrument was recorded for that
point explicitly, or was taken inside the item's window (one answer can serve
two points whose windows overlap, so a patient is not asked twice).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from clinical.errors import ClinicalError
from clinical.instants import utc, utc_or_none
from clinical.instruments import INSTRUMENTS

_KEY = re.compile(r"[a-z0-9_]{1,32}")
MAX_OFFSET_HOURS = 24 * 366 * 2  # two years either way: anything further is a typo


class Anchor(enum.StrEnum):
    """Which infusion of the course a point is counted from."""

    FIRST_INFUSION = "first_infusion"
    EACH_INFUSION = "each_infusion"
    LAST_INFUSION = "last_infusion"


class SlotStatus(enum.StrEnum):
    """Where an item stands at a given moment."""

    UPCOMING = "upcoming"
    DUE = "due"
    OVERDUE = "overdue"
    MISSED = "missed"
    DONE = "done"


@dataclass(frozen=True)
class AssessmentPoint:
    """One named point of a protocol (issue 3 defaults live in courses.choices)."""

    key: str
    label: str
    anchor: Anchor
    offset_hours: int
    instruments: tuple[str, ...]

    def __post_init__(self) -> None:
        if not isinstance(self.key, str) or not _KEY.fullmatch(self.key):
            raise ClinicalError(
                f"Assessment point key {self.key!r} must be 1-32 lower-case letters, digits or underscores."
            )
        if not isinstance(self.label, str) or not self.label.strip():
            raise ClinicalError(f"Assessment point {self.key!r} needs a label.")
        if isinstance(self.offset_hours, bool) or not isinstance(self.offset_hours, int):
            raise ClinicalError(f"Assessment point {self.key!r}: offset_hours must be a whole number.")
        if abs(self.offset_hours) > MAX_OFFSET_HOURS:
            raise ClinicalError(
                f"Assessment point {self.key!r}: offset_hours must be within +/-{MAX_OFFSET_HOURS}."
            )
        self._check_instruments()

    def _check_instruments(self) -> None:
        if not self.instruments:
            raise ClinicalError(f"Assessment point {self.key!r} names no instrument.")
        unknown = [i for i in self.instruments if i not in INSTRUMENTS]
        if unknown:
            known = ", ".join(INSTRUMENTS)
            raise ClinicalError(
                f"Assessment point {self.key!r}: unknown instrument {unknown[0]!r}; known: {known}."
            )
        if len(set(self.instruments)) != len(self.instruments):
            raise ClinicalError(f"Assessment point {self.key!r} lists an instrument twice.")

    @property
    def before_anchor(self) -> bool:
        """Tell whether the point is taken before its anchor infusion (negative offset)."""
        return self.offset_hours < 0


def points_from_json(raw: object) -> tuple[AssessmentPoint, ...]:
    """Parse a protocol's ``assessment_points`` JSON list; raise ClinicalError if it does not fit."""
    if not isinstance(raw, list):
        raise ClinicalError("Assessment points must be a list.")
    points = tuple(_point(n, entry) for n, entry in enumerate(raw, 1))
    keys = [p.key for p in points]
    duplicate = next((k for k in keys if keys.count(k) > 1), None)
    if duplicate is not None:
        raise ClinicalError(f"Assessment point key {duplicate!r} is used twice.")
    return points


def _point(n: int, entry: object) -> AssessmentPoint:
    if not isinstance(entry, Mapping):
        raise ClinicalError(f"Assessment point {n} must be an object with key, label, anchor, offset_hours, instruments.")
    missing = [f for f in ("key", "label", "anchor", "offset_hours", "instruments") if f not in entry]
    if missing:
        raise ClinicalError(f"Assessment point {n} lacks {', '.join(missing)}.")
    try:
        anchor = Anchor(entry["anchor"])
    except ValueError:
        choices = ", ".join(a.value for a in Anchor)
        raise ClinicalError(f"Assessment point {n}: anchor must be one of {choices}.") from None
    instruments = entry["instruments"]
    if not isinstance(instruments, list | tuple) or not all(isinstance(i, str) for i in instruments):
        raise ClinicalError(f"Assessment point {n}: instruments must be a list of instrument ids.")
    return AssessmentPoint(
        key=entry["key"], label=entry["label"], anchor=anchor,
        offset_hours=entry["offset_hours"], instruments=tuple(instruments),
    )


@dataclass(frozen=True)
class ScheduleWindows:
    """How long an item stays due, then overdue (Policy: clinic settings, defaults shown)."""

    due_window_hours: int = 48
    overdue_hours: int = 168

    def __post_init__(self) -> None:
        for name in ("due_window_hours", "overdue_hours"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 24 * 90:
                raise ClinicalError(f"{name} must be a whole number of hours from 1 to {24 * 90}.")


@dataclass(frozen=True)
class Infusion:
    """A booked infusion of the course that is held or still to come (not cancelled, not a no-show).

    ``started_at`` once it has begun; ``number`` is the session's number in the course (kept when it moves).
    """

    number: int
    scheduled_at: datetime
    started_at: datetime | None = None

    def __post_init__(self) -> None:
        if isinstance(self.number, bool) or not isinstance(self.number, int) or self.number < 1:
            raise ClinicalError("An infusion number must be a whole number from 1.")
        _require_aware(self.scheduled_at, f"Infusion {self.number}'s booked time")
        if self.started_at is not None:
            _require_aware(self.started_at, f"Infusion {self.number}'s start time")
        # Windows are computed on instants, never on the wall clock (clinical.instants).
        object.__setattr__(self, "scheduled_at", utc(self.scheduled_at))
        object.__setattr__(self, "started_at", utc_or_none(self.started_at))

    @property
    def at(self) -> datetime:
        """Return the actual start if known, else the booked time."""
        return self.started_at or self.scheduled_at


@dataclass(frozen=True)
class Done:
    """An assessment already recorded: its instrument, time and (optional) point."""

    instrument: str
    assessed_at: datetime
    point_key: str = ""
    occurrence: int = 0

    def __post_init__(self) -> None:
        _require_aware(self.assessed_at, "An assessment time")
        object.__setattr__(self, "assessed_at", utc(self.assessed_at))


@dataclass(frozen=True)
class Slot:
    """One instrument to give at one occurrence of a point, with its window and status.

    ``occurrence`` is the infusion number for points anchored to each infusion, else 0.
    """

    point_key: str
    label: str
    instrument: str
    occurrence: int
    opens_at: datetime
    due_by: datetime
    closes_at: datetime
    status: SlotStatus
    done_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        """Tell whether the item should be given now (due or overdue)."""
        return self.status in (SlotStatus.DUE, SlotStatus.OVERDUE)

    @property
    def display_label(self) -> str:
        """Return the point's label with the infusion number where it has one."""
        return f"{self.label} (infusion {self.occurrence})" if self.occurrence else self.label


def _require_aware(value: datetime, what: str) -> None:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise ClinicalError(f"{what} must be a date and time with a time zone.")


def _check_infusions(infusions: Sequence[Infusion]) -> list[Infusion]:
    numbers = [i.number for i in infusions]
    if len(set(numbers)) != len(numbers):
        raise ClinicalError("Two infusions of one course share a number.")
    # First and last are by booked time, not by number: a cancelled or missed infusion rebooked later
    # gets a higher number, and a rescheduled one keeps its number at its new time.
    return sorted(infusions, key=lambda i: (i.scheduled_at, i.number))


def _anchors(
    point: AssessmentPoint, infusions: list[Infusion], *, n_infusions: int, final: bool
) -> list[tuple[int, Infusion]]:
    """Return (occurrence, anchor infusion) pairs; none while the anchor is not yet booked."""
    if not infusions:
        return []
    if point.anchor is Anchor.FIRST_INFUSION:
        return [(0, infusions[0])]
    if point.anchor is Anchor.EACH_INFUSION:
        return [(i.number, i) for i in infusions]
    # The last infusion is known once the course ended or every planned infusion is booked.
    if final or len(infusions) >= n_infusions:
        return [(0, infusions[-1])]
    return []


def _window(point: AssessmentPoint, anchor: Infusion, w: ScheduleWindows) -> tuple[datetime, datetime, datetime]:
    offset = timedelta(hours=point.offset_hours)
    if point.before_anchor:
        opens, due_by = anchor.scheduled_at + offset, anchor.scheduled_at
        closes = anchor.started_at or anchor.scheduled_at + timedelta(hours=w.overdue_hours)
        return opens, due_by, closes
    opens = anchor.at + offset
    due_by = opens + timedelta(hours=w.due_window_hours)
    return opens, due_by, due_by + timedelta(hours=w.overdue_hours)


def _done_at(
    point: AssessmentPoint, occurrence: int, instrument: str, window: tuple[datetime, datetime, datetime],
    done: Sequence[Done],
) -> datetime | None:
    opens, _, closes = window
    for d in done:
        if d.instrument != instrument:
            continue
        explicit = d.point_key == point.key and d.occurrence == occurrence
        if explicit or opens <= d.assessed_at <= closes:
            return d.assessed_at
    return None


def _status(window: tuple[datetime, datetime, datetime], done_at: datetime | None, now: datetime) -> SlotStatus:
    opens, due_by, closes = window
    if done_at is not None:
        return SlotStatus.DONE
    if now > closes:
        return SlotStatus.MISSED
    if now < opens:
        return SlotStatus.UPCOMING
    return SlotStatus.DUE if now <= due_by else SlotStatus.OVERDUE


def status_at(opens_at: datetime, due_by: datetime, closes_at: datetime, done_at: datetime | None,
              now: datetime) -> SlotStatus:
    """Where an item with this window stands at ``now`` (the status ``plan_slots`` gives it)."""
    _require_aware(now, "The current time")
    return _status((opens_at, due_by, closes_at), done_at, utc(now))


def plan_slots(
    points: Sequence[AssessmentPoint],
    infusions: Sequence[Infusion],
    *,
    n_infusions: int,
    final: bool,
    done: Sequence[Done],
    now: datetime,
    windows: ScheduleWindows = ScheduleWindows(),
) -> tuple[Slot, ...]:
    """Return every item of the course's points with its window and status at ``now``.

    ``final`` says the course has ended, so its last booked infusion is the last one.
    """
    _require_aware(now, "The current time")
    now = utc(now)
    if isinstance(n_infusions, bool) or not isinstance(n_infusions, int) or n_infusions < 1:
        raise ClinicalError("A course plans at least one infusion.")
    ordered = _check_infusions(infusions)
    done_sorted = sorted(done, key=lambda d: d.assessed_at)
    slots: list[tuple[int, int, Slot]] = []
    for p_index, point in enumerate(points):
        for occurrence, anchor in _anchors(point, ordered, n_infusions=n_infusions, final=final):
            window = _window(point, anchor, windows)
            for i_index, instrument in enumerate(point.instruments):
                done_at = _done_at(point, occurrence, instrument, window, done_sorted)
                slot = Slot(point.key, point.label, instrument, occurrence, *window,
                            status=_status(window, done_at, now), done_at=done_at)
                slots.append((p_index, i_index, slot))
    slots.sort(key=lambda t: (t[2].due_by, t[0], t[1]))
    return tuple(s for _, _, s in slots)


def open_slots(slots: Sequence[Slot]) -> tuple[Slot, ...]:
    """Return the items to give now, overdue first, then by deadline."""
    return tuple(sorted((s for s in slots if s.is_open),
                        key=lambda s: (s.status is not SlotStatus.OVERDUE, s.due_by)))
