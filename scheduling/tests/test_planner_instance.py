"""Parsing the instance: exactly the documented JSON, and a clear message naming the field otherwise."""

import copy

import pytest

from scheduling.planner import InstanceError, parse_instance

from .planner_cases import BASE


def test_the_issue_example_parses():
    raw = {"start": "2027-01-04", "days": 21, "tz": "America/New_York", "slot_minutes": 5,
           "open": "08:00", "close": "18:00", "closed_days": [5, 6, 12, 13, 19, 20],
           "chairs": ["C1", "C2"],
           "nurses": [{"id": "N1", "shifts": [{"day": 0, "start": "08:00", "end": "16:30"}]}],
           "ratio": 3, "setup_minutes": 15, "discharge_minutes": 10,
           "requests": [{"id": "R001", "infusions": 6, "infusion_minutes": 40, "recovery_minutes": 60,
                         "min_gap_hours": 44, "max_span_days": 21, "release_day": 0,
                         "availability": [{"weekday": 0, "start": "09:00", "end": "17:00"}]}]}
    inst = parse_instance(raw)
    assert inst.nurses[0].shifts[0].end_min == 16 * 60 + 30
    assert inst.requests[0].min_gap_minutes == 44 * 60
    assert inst.session_minutes(inst.requests[0]) == 125
    assert inst.closed_days == frozenset({5, 6, 12, 13, 19, 20})


def _broken(path: str, value):
    raw = copy.deepcopy(BASE)
    target, *keys = path.split(".")
    holder = raw
    parts = [target, *keys]
    for part in parts[:-1]:
        holder = holder[int(part)] if part.isdigit() else holder[part]
    last = parts[-1]
    if value is KeyError:
        del holder[last]
    else:
        holder[int(last) if last.isdigit() else last] = value
    return raw


@pytest.mark.parametrize(("path", "value", "message"), [
    ("days", KeyError, "instance: missing days"),
    ("colour", "red", "unknown key(s) colour"),
    ("tz", "Mars/Olympus", "tz: unknown time zone"),
    ("start", "04/01/2027", "start: expected a date"),
    ("slot_minutes", 7, "does not divide an hour"),
    ("open", "8am", "expected a time HH:MM"),
    ("close", "07:00", "end 07:00 is not after start 08:00"),
    ("closed_days", [21], "closed_days[0]: 21 is outside 0..20"),
    ("chairs", [], "chairs: the list is empty"),
    ("chairs", ["C1", "C1"], "'C1' appears twice"),
    ("ratio", 0, "ratio: 0 is outside 1..20"),
    ("ratio", True, "expected a whole number"),
    ("nurses.0.shifts.0.day", 30, "nurses[0].shifts[0].day: 30 is outside 0..20"),
    ("nurses.0.shifts.0.end", "07:00", "is not after start"),
    ("requests.0.infusions", 0, "requests[0].infusions: 0 is outside 1..100"),
    ("requests.0.min_gap_hours", 43.999, "not a whole number of minutes"),
    ("requests.0.min_gap_hours", "44", "expected a number of hours"),
    ("requests.0.release_day", 21, "release_day: 21 is outside 0..20"),
    ("requests.0.availability", [], "availability: the list is empty"),
    ("requests.0.availability", [{"weekday": 7, "start": "09:00", "end": "10:00"}], "weekday: 7 is outside"),
    ("requests.0.nickname", "x", "requests[0]: unknown key(s) nickname"),
    ("requests.1.id", "R1", "requests: 'R1' appears twice"),
    ("booked", [{"chair": "C9", "nurse": "N1", "start": "2027-01-04T09:00", "minutes": 60}], "unknown chair"),
    ("booked", [{"chair": "C1", "nurse": "N1", "start": "2027-01-04 09:00", "minutes": 60}], "YYYY-MM-DDTHH:MM"),
])
def test_a_bad_field_is_named_in_the_error(path, value, message):
    with pytest.raises(InstanceError) as caught:
        parse_instance(_broken(path, value))
    assert message in str(caught.value)


def test_a_non_object_is_refused():
    with pytest.raises(InstanceError, match="expected an object"):
        parse_instance([1, 2])


def test_a_fractional_gap_of_whole_minutes_is_kept():
    inst = parse_instance(_broken("requests.0.min_gap_hours", 43.75))
    assert inst.requests[0].min_gap_minutes == 43 * 60 + 45


def test_opening_hours_holding_a_clock_change_are_refused():
    raw = {**copy.deepcopy(BASE), "start": "2027-03-13", "days": 3, "open": "00:00", "close": "24:00",
           "closed_days": [], "nurses": [{"id": "N1", "shifts": []}],
           "requests": []}
    with pytest.raises(InstanceError, match="day 1: the clock changes inside opening hours"):
        parse_instance(raw)
