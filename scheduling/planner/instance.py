"""Parse and check a planning instance (the JSON documented in docs/planner.md); no Django, no clock."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MAX_DAYS = 366
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$|^24:00$")
_LOCAL_DT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$")


class InstanceError(ValueError):
    """The instance is malformed; the message names the field and what is wrong."""


@dataclass(frozen=True)
class Shift:
    day: int
    start_min: int
    end_min: int


@dataclass(frozen=True)
class Nurse:
    id: str
    shifts: tuple[Shift, ...]


@dataclass(frozen=True)
class Window:
    weekday: int
    start_min: int
    end_min: int


@dataclass(frozen=True)
class Request:
    id: str
    infusions: int
    infusion_minutes: int
    recovery_minutes: int
    min_gap_minutes: int
    max_span_days: int
    release_day: int
    availability: tuple[Window, ...] | None  # None: any time the clinic is open
    earliest_start: datetime | None = None  # aware local; the first session starts at or after it
    span_from: datetime | None = None  # aware local; an earlier infusion of the course the span counts from


@dataclass(frozen=True)
class Booked:
    """A session already fixed on the calendar: it holds its chair and nurse like a planned one."""

    chair: str
    nurse: str  # "" when no nurse is assigned yet: the booking then holds its chair only
    start: datetime  # aware local
    minutes: int
    label: str = ""


@dataclass(frozen=True)
class Instance:
    start: date
    days: int
    tz: ZoneInfo
    slot_minutes: int
    open_min: int
    close_min: int
    closed_days: frozenset[int]
    chairs: tuple[str, ...]
    nurses: tuple[Nurse, ...]
    ratio: int
    setup_minutes: int
    discharge_minutes: int
    requests: tuple[Request, ...]
    turnover_minutes: int = 0
    booked: tuple[Booked, ...] = ()

    def session_minutes(self, request: Request) -> int:
        """Minutes a session holds its chair and nurse: set-up, infusion, recovery and discharge."""
        return self.setup_minutes + request.infusion_minutes + request.recovery_minutes + self.discharge_minutes

    def request(self, request_id: str) -> Request:
        return next(r for r in self.requests if r.id == request_id)


_TOP_KEYS = {"start", "days", "tz", "slot_minutes", "open", "close", "closed_days", "chairs", "nurses", "ratio",
             "setup_minutes", "discharge_minutes", "requests"}
_TOP_OPTIONAL = {"turnover_minutes", "booked"}
_REQUEST_KEYS = {"id", "infusions", "infusion_minutes", "recovery_minutes", "min_gap_hours", "max_span_days",
                 "release_day"}
_REQUEST_OPTIONAL = {"availability", "earliest_start", "span_from"}


def _keys(obj: Any, where: str, required: set[str], optional: set[str] | frozenset[str] = frozenset()) -> dict:
    if not isinstance(obj, dict):
        raise InstanceError(f"{where}: expected an object")
    missing = sorted(required - obj.keys())
    if missing:
        raise InstanceError(f"{where}: missing {', '.join(missing)}")
    unknown = sorted(obj.keys() - required - optional)
    if unknown:
        raise InstanceError(f"{where}: unknown key(s) {', '.join(unknown)}")
    return obj


def _int(value: Any, where: str, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InstanceError(f"{where}: expected a whole number, got {value!r}")
    if not lo <= value <= hi:
        raise InstanceError(f"{where}: {value} is outside {lo}..{hi}")
    return value


def _str(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InstanceError(f"{where}: expected a non-empty string")
    return value


def _list(value: Any, where: str, *, nonempty: bool = False) -> list:
    if not isinstance(value, list):
        raise InstanceError(f"{where}: expected a list")
    if nonempty and not value:
        raise InstanceError(f"{where}: the list is empty")
    return value


def _hhmm(value: Any, where: str) -> int:
    if not isinstance(value, str) or not _HHMM.match(value):
        raise InstanceError(f"{where}: expected a time HH:MM, got {value!r}")
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


def _span(obj: dict, where: str) -> tuple[int, int]:
    start_min, end_min = _hhmm(obj["start"], f"{where}.start"), _hhmm(obj["end"], f"{where}.end")
    if end_min <= start_min:
        raise InstanceError(f"{where}: end {obj['end']} is not after start {obj['start']}")
    return start_min, end_min


def _local_dt(value: Any, where: str, tz: ZoneInfo) -> datetime:
    if not isinstance(value, str) or not _LOCAL_DT.match(value):
        raise InstanceError(f"{where}: expected a local date-time YYYY-MM-DDTHH:MM, got {value!r}")
    try:
        return datetime.fromisoformat(value).replace(tzinfo=tz)
    except ValueError as exc:
        raise InstanceError(f"{where}: {exc}") from None


def _unique(ids: list[str], where: str) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise InstanceError(f"{where}: {item!r} appears twice")
        seen.add(item)


def _nurse(obj: Any, where: str, days: int) -> Nurse:
    _keys(obj, where, {"id", "shifts"})
    shifts = []
    for i, raw in enumerate(_list(obj["shifts"], f"{where}.shifts")):
        here = f"{where}.shifts[{i}]"
        _keys(raw, here, {"day", "start", "end"})
        shifts.append(Shift(_int(raw["day"], f"{here}.day", 0, days - 1), *_span(raw, here)))
    return Nurse(_str(obj["id"], f"{where}.id"), tuple(shifts))


def _gap_minutes(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InstanceError(f"{where}: expected a number of hours, got {value!r}")
    minutes = value * 60
    if minutes != int(minutes) or not 0 <= minutes <= 24 * 60 * MAX_DAYS:
        raise InstanceError(f"{where}: {value} is not a whole number of minutes in 0..{24 * MAX_DAYS} h")
    return int(minutes)


def _request(obj: Any, where: str, days: int, tz: ZoneInfo) -> Request:
    _keys(obj, where, _REQUEST_KEYS, _REQUEST_OPTIONAL)
    availability = None
    if "availability" in obj:
        windows = []
        for i, raw in enumerate(_list(obj["availability"], f"{where}.availability", nonempty=True)):
            here = f"{where}.availability[{i}]"
            _keys(raw, here, {"weekday", "start", "end"})
            windows.append(Window(_int(raw["weekday"], f"{here}.weekday", 0, 6), *_span(raw, here)))
        availability = tuple(windows)
    optional = {key: _local_dt(obj[key], f"{where}.{key}", tz) for key in ("earliest_start", "span_from")
                if key in obj}
    return Request(
        id=_str(obj["id"], f"{where}.id"), infusions=_int(obj["infusions"], f"{where}.infusions", 1, 100),
        infusion_minutes=_int(obj["infusion_minutes"], f"{where}.infusion_minutes", 1, 24 * 60),
        recovery_minutes=_int(obj["recovery_minutes"], f"{where}.recovery_minutes", 0, 24 * 60),
        min_gap_minutes=_gap_minutes(obj["min_gap_hours"], f"{where}.min_gap_hours"),
        max_span_days=_int(obj["max_span_days"], f"{where}.max_span_days", 0, MAX_DAYS),
        release_day=_int(obj["release_day"], f"{where}.release_day", 0, days - 1),
        availability=availability, **optional)


def _booked(obj: Any, where: str, tz: ZoneInfo) -> Booked:
    _keys(obj, where, {"chair", "start", "minutes"}, {"label", "nurse"})
    nurse = _str(obj["nurse"], f"{where}.nurse") if obj.get("nurse") is not None else ""
    return Booked(_str(obj["chair"], f"{where}.chair"), nurse,
                  _local_dt(obj["start"], f"{where}.start", tz), _int(obj["minutes"], f"{where}.minutes", 1, 1440),
                  str(obj.get("label", "")))


def _zone(value: Any) -> ZoneInfo:
    try:
        return ZoneInfo(_str(value, "tz"))
    except (ZoneInfoNotFoundError, ValueError):
        raise InstanceError(f"tz: unknown time zone {value!r}") from None


def _start(value: Any) -> date:
    try:
        return date.fromisoformat(_str(value, "start"))
    except ValueError:
        raise InstanceError(f"start: expected a date YYYY-MM-DD, got {value!r}") from None


def parse_instance(obj: Any) -> Instance:
    """Build an Instance from decoded JSON, or raise InstanceError naming the first bad field."""
    _keys(obj, "instance", _TOP_KEYS, _TOP_OPTIONAL)
    days, tz = _int(obj["days"], "days", 1, MAX_DAYS), _zone(obj["tz"])
    slot = _int(obj["slot_minutes"], "slot_minutes", 1, 60)
    if 60 % slot:
        raise InstanceError(f"slot_minutes: {slot} does not divide an hour")
    open_min, close_min = _span({"start": obj["open"], "end": obj["close"]}, "open/close")
    if open_min % slot or close_min % slot:
        raise InstanceError("open/close: opening hours must fall on slot boundaries")
    chairs = [_str(c, f"chairs[{i}]") for i, c in enumerate(_list(obj["chairs"], "chairs", nonempty=True))]
    nurses = [_nurse(n, f"nurses[{i}]", days) for i, n in enumerate(_list(obj["nurses"], "nurses", nonempty=True))]
    requests = [_request(r, f"requests[{i}]", days, tz) for i, r in enumerate(_list(obj["requests"], "requests"))]
    booked = [_booked(b, f"booked[{i}]", tz) for i, b in enumerate(_list(obj.get("booked", []), "booked"))]
    _unique(chairs, "chairs")
    _unique([n.id for n in nurses], "nurses")
    _unique([r.id for r in requests], "requests")
    for i, b in enumerate(booked):
        if b.chair not in chairs or (b.nurse and b.nurse not in {n.id for n in nurses}):
            raise InstanceError(f"booked[{i}]: unknown chair {b.chair!r} or nurse {b.nurse!r}")
    instance = Instance(
        start=_start(obj["start"]), days=days, tz=tz, slot_minutes=slot, open_min=open_min, close_min=close_min,
        closed_days=frozenset(_int(d, f"closed_days[{i}]", 0, days - 1)
                              for i, d in enumerate(_list(obj["closed_days"], "closed_days"))),
        chairs=tuple(chairs), nurses=tuple(nurses), ratio=_int(obj["ratio"], "ratio", 1, 20),
        setup_minutes=_int(obj["setup_minutes"], "setup_minutes", 0, 240),
        discharge_minutes=_int(obj["discharge_minutes"], "discharge_minutes", 0, 240),
        requests=tuple(requests), turnover_minutes=_int(obj.get("turnover_minutes", 0), "turnover_minutes", 0, 240),
        booked=tuple(booked))
    _check_clock(instance)
    return instance


def _check_clock(instance: Instance) -> None:
    """Refuse a calendar whose opening hours hold a clock change or whose slots the change would misalign."""
    midnight0 = datetime.combine(instance.start, time(0), instance.tz).astimezone(UTC)
    for day in range(instance.days):
        midnight = datetime.combine(instance.start + timedelta(days=day), time(0), instance.tz)
        opens = (midnight + timedelta(minutes=instance.open_min)).astimezone(UTC)
        closes = (midnight + timedelta(minutes=instance.close_min)).astimezone(UTC)
        if closes - opens != timedelta(minutes=instance.close_min - instance.open_min):
            raise InstanceError(f"day {day}: the clock changes inside opening hours; the planner cannot place it")
        opens_min = (opens - midnight0) // timedelta(minutes=1)
        if opens_min % instance.slot_minutes:
            raise InstanceError(f"day {day}: the clock change is not a whole number of slots")
        if not day * 1440 <= opens_min <= opens_min + instance.close_min - instance.open_min <= (day + 1) * 1440:
            raise InstanceError(f"day {day}: opening hours lie too close to midnight for the clock change")
