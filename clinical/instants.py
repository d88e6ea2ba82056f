"""Time arithmetic on instants (decision made here, for every rule of the kernel).

Python adds and subtracts two aware datetimes that share one tzinfo on the
wall clock: across a daylight-saving change in America/New_York, 01:30 EST to
03:10 EDT on 2026-03-08 is 40 real minutes but subtracts as 100, and
``01:30 + 60 min`` lands on a time that never happened. Every duration,
deadline and comparison in ``clinical`` is therefore computed on UTC instants
(``utc``); local time is for showing only.
"""

from __future__ import annotations

from datetime import UTC, datetime

from clinical.errors import ClinicalError


def utc(value: datetime, name: str = "The time") -> datetime:
    """Return the same instant in UTC; refuse a naive datetime."""
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise ClinicalError(f"{name} must be a timezone-aware datetime.")
    return value.astimezone(UTC)


def utc_or_none(value: datetime | None, name: str = "The time") -> datetime | None:
    """``utc`` for an optional time."""
    return None if value is None else utc(value, name)
