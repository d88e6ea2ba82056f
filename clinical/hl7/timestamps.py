"""Strict reading of HL7 DTM timestamps into aware UTC datetimes.

HL7 v2.6 section 2A.3.22 (DTM): YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ].
A vital sign needs a time to the minute, so anything coarser is refused.
``hl7.parse_datetime`` is not used: it accepts trailing junk ("20240101xyz"),
returns naive datetimes, and reads a "-00MM" offset as east of UTC.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo

from clinical.errors import ClinicalError
from clinical.hl7.errors import DATA_TYPE_ERROR, ErrorLocation, Hl7ContentError

_DTM = re.compile(
    r"(?P<date>\d{8})(?P<hour>\d{2})(?P<minute>\d{2})"
    r"(?:(?P<second>\d{2})(?:\.(?P<fraction>\d{1,4}))?)?"
    r"(?:(?P<sign>[+-])(?P<oh>\d{2})(?P<om>\d{2}))?"
)


def check_default_tz(default_tz: tzinfo) -> None:
    """Refuse a ``default_tz`` that gives no UTC offset."""
    if not isinstance(default_tz, tzinfo) or datetime(2000, 1, 1, tzinfo=default_tz).utcoffset() is None:
        raise ClinicalError("default_tz must be a tzinfo with a UTC offset")


def _offset(sign: str, hours: str, minutes: str) -> timezone | None:
    h, m = int(hours), int(minutes)
    if h > 14 or m > 59:
        return None
    delta = timedelta(hours=h, minutes=m)
    return timezone(-delta if sign == "-" else delta)


def _exists(local: datetime) -> bool:
    """Return False when a wall-clock time in a zone was skipped (DST gap).

    An ambiguous time (the repeated hour when clocks go back) takes the first
    occurrence (fold=0); senders avoid this by sending an offset.
    """
    tz = local.tzinfo
    back = local.astimezone(UTC).astimezone(tz)
    return back.replace(tzinfo=None) == local.replace(tzinfo=None)


def parse_hl7_time(
    text: str, *, default_tz: tzinfo, what: str, location: ErrorLocation | None = None
) -> datetime:
    """Return the DTM ``text`` as an aware UTC datetime, or raise Hl7ContentError."""
    match = _DTM.fullmatch(text.strip())
    if match is None:
        raise Hl7ContentError(
            f"{what} is not an HL7 timestamp precise to the minute",
            hl7_error_code=DATA_TYPE_ERROR,
            location=location,
        )
    g = match.groupdict()
    fraction = (g["fraction"] or "").ljust(6, "0")
    zone = _offset(g["sign"], g["oh"], g["om"]) if g["sign"] else default_tz
    try:
        if zone is None:
            raise ValueError("UTC offset out of range")
        aware = datetime(
            int(g["date"][:4]),
            int(g["date"][4:6]),
            int(g["date"][6:8]),
            int(g["hour"]),
            int(g["minute"]),
            int(g["second"] or 0),
            int(fraction),
            tzinfo=zone,
        )
    except ValueError:
        raise Hl7ContentError(
            f"{what} is an impossible date, time or UTC offset",
            hl7_error_code=DATA_TYPE_ERROR,
            location=location,
        ) from None
    if not g["sign"] and not _exists(aware):
        raise Hl7ContentError(
            f"{what} names a local time skipped by a daylight-saving change",
            hl7_error_code=DATA_TYPE_ERROR,
            location=location,
        )
    return aware.astimezone(UTC)
