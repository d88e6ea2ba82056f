"""Turn the OBR/OBX groups of an ORU^R01 into vital-sign readings.

Observation time: OBX-14; else the nearest ancestor in the IHE PCD-01 OBX-4
containment tree (MDS.VMD.CHAN.METRIC, "1.0.1.1" under "1.0.1" under "1")
that has one; else OBR-7 of the enclosing group; else MSH-7. OBX-18
(equipment) is inherited the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from decimal import Decimal
from typing import TypeVar

from clinical.hl7.codes import (
    CodedValue,
    CodeEntry,
    IgnoreReason,
    VitalKind,
    describe_code,
    lookup_code,
)
from clinical.hl7.errors import (
    DATA_TYPE_ERROR,
    REQUIRED_FIELD_MISSING,
    TABLE_VALUE_NOT_FOUND,
    ErrorLocation,
    Hl7ContentError,
)
from clinical.hl7.model import DeviceObservation, Hl7ParseOptions, IgnoredObservation
from clinical.hl7.segments import SegmentView as Seg
from clinical.hl7.timestamps import parse_hl7_time
from clinical.hl7.units import CANONICAL_UNIT, KIND_DIMENSION, lookup_unit, to_canonical

_NM = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)")  # ASCII digits only (HL7 v2.6 2A.3.47 NM)
NM_MAX_CHARS = 16  # the HL7 NM length; a longer value is a fault of the sender, not a reading
_HL7_NULL = '""'
_NUMERIC_TYPES = frozenset({"NM", "ST", ""})

Outcome = DeviceObservation | IgnoredObservation
_T = TypeVar("_T")


@dataclass(frozen=True)
class _Stamp:
    """A raw DTM and where it came from, parsed only when a reading needs it."""

    text: str
    location: ErrorLocation


@dataclass
class _Group:
    """The OBR group being read: its index, OBR-7 and the OBX-4 tree so far."""

    index: int = 0
    obr_time: _Stamp | None = None
    times: dict[str, _Stamp] = field(default_factory=dict)
    equipment: dict[str, str] = field(default_factory=dict)


def _tree_key(sub_id: str) -> str:
    parts = sub_id.strip().split(".")
    while len(parts) > 1 and parts[-1] == "0":
        parts.pop()
    return ".".join(parts)


def _inherited(table: dict[str, _T], sub_id: str) -> _T | None:
    parts = sub_id.strip().split(".")
    for end in range(len(parts), 0, -1):
        found = table.get(_tree_key(".".join(parts[:end])))
        if found is not None:
            return found
    return None


def _coded(seg: Seg, field: int, first: int) -> CodedValue:
    return CodedValue(seg.get(field, first), seg.get(field, first + 1), seg.get(field, first + 2))


def _entry(seg: Seg) -> tuple[CodeEntry | None, str]:
    primary, alternate = _coded(seg, 3, 1), _coded(seg, 3, 4)
    entry = lookup_code(primary) or lookup_code(alternate)
    return entry, entry.source_code if entry else describe_code(primary)


def _numeric(seg: Seg, value_type: str, label: str) -> Decimal | IgnoreReason:
    if value_type == "SN":
        comparator, text = seg.get(5, 1), seg.get(5, 2)
        if comparator not in ("", "=") or seg.get(5, 3) or seg.get(5, 4):
            return IgnoreReason.NOT_EXACT
    elif value_type in _NUMERIC_TYPES:
        text = seg.get(5, 1)
    else:
        raise Hl7ContentError(
            f"{label}: value type {value_type} cannot carry a vital sign",
            hl7_error_code=DATA_TYPE_ERROR,
            location=seg.loc(2),
        )
    if len(text) > NM_MAX_CHARS:
        raise Hl7ContentError(
            f"{label}: the value is {len(text)} characters long; a number here has at most {NM_MAX_CHARS}",
            hl7_error_code=DATA_TYPE_ERROR,
            location=seg.loc(5),
        )
    if not _NM.fullmatch(text):
        raise Hl7ContentError(
            f"{label}: the value is not a number",
            hl7_error_code=DATA_TYPE_ERROR,
            location=seg.loc(5),
        )
    value = Decimal(text)
    return IgnoreReason.NEGATIVE_VALUE if value < 0 else value


def _canonical_value(seg: Seg, kind: VitalKind, source_code: str, value: Decimal) -> tuple[Decimal, str, str]:
    unit_coded = _coded(seg, 6, 1)
    if not (unit_coded.identifier or unit_coded.text):
        raise Hl7ContentError(
            f"{source_code}: the unit (OBX-6) is missing",
            hl7_error_code=REQUIRED_FIELD_MISSING,
            location=seg.loc(6),
        )
    unit = lookup_unit(unit_coded)
    dimension = KIND_DIMENSION[kind]
    if unit is None or unit.dimension is not dimension:
        raise Hl7ContentError(
            f"{source_code}: unit {describe_code(unit_coded)} cannot be read as a {dimension.value} unit",
            hl7_error_code=TABLE_VALUE_NOT_FOUND,
            location=seg.loc(6),
        )
    return to_canonical(value, unit), CANONICAL_UNIT[dimension], unit.label


class ObservationReader:
    """Read OBX rows in message order, tracking their OBR group and OBX-4 tree."""

    def __init__(self, *, message_at: datetime, default_tz: tzinfo, options: Hl7ParseOptions) -> None:
        self._message_at = message_at
        self._default_tz = default_tz
        self._options = options
        self._group = _Group()

    def start_group(self, obr: Seg) -> None:
        """Begin a new OBR group."""
        stamp = _Stamp(obr.get(7), obr.loc(7)) if obr.get(7) else None
        self._group = _Group(self._group.index + 1, stamp)

    def read(self, obx: Seg) -> Outcome:
        """Return the reading an OBX row carries, or why it carries none."""
        sub_id = obx.get(4)
        self._remember(obx, sub_id)
        entry, source_code = _entry(obx)
        has_value = bool(obx.text(5))
        if entry is None:
            reason = IgnoreReason.UNKNOWN_CODE if has_value else IgnoreReason.DEVICE_ROW
            return IgnoredObservation(source_code, sub_id, reason)
        if entry.kind is None:
            reason = entry.ignore_reason or IgnoreReason.NOT_CHARTED
            return IgnoredObservation(source_code, sub_id, reason, entry.note)
        status = obx.get(11).upper()
        if status not in self._options.accepted_result_statuses:
            detail = f"result status {status or 'blank'}"
            return IgnoredObservation(source_code, sub_id, IgnoreReason.STATUS_NOT_ACCEPTED, detail)
        if obx.repetitions(5) > 1:
            raise Hl7ContentError(
                f"{source_code}: OBX-5 repeats; one value was expected",
                hl7_error_code=DATA_TYPE_ERROR,
                location=obx.loc(5),
            )
        if not has_value or obx.text(5) == _HL7_NULL:
            return IgnoredObservation(source_code, sub_id, IgnoreReason.NO_VALUE)
        return self._reading(obx, entry.kind, source_code, sub_id, status)

    def _reading(self, obx: Seg, kind: VitalKind, source_code: str, sub_id: str, status: str) -> Outcome:
        value = _numeric(obx, obx.get(2).upper(), source_code)
        if isinstance(value, IgnoreReason):
            return IgnoredObservation(source_code, sub_id, value)
        canonical, unit, source_unit = _canonical_value(obx, kind, source_code, value)
        return DeviceObservation(
            kind=kind,
            value=canonical,
            unit=unit,
            observed_at=self._observed_at(obx, sub_id, source_code),
            source_code=source_code,
            source_unit=source_unit,
            result_status=status,
            sub_id=sub_id,
            obr_index=self._group.index,
            equipment_id=self._equipment(obx, sub_id),
        )

    def _remember(self, obx: Seg, sub_id: str) -> None:
        if obx.get(14):
            self._group.times[_tree_key(sub_id)] = _Stamp(obx.get(14), obx.loc(14))
        if obx.get(18):
            self._group.equipment[_tree_key(sub_id)] = obx.get(18)

    def _observed_at(self, obx: Seg, sub_id: str, label: str) -> datetime:
        stamp = _inherited(self._group.times, sub_id) if sub_id else None
        if stamp is None and obx.get(14):
            stamp = _Stamp(obx.get(14), obx.loc(14))
        stamp = stamp or self._group.obr_time
        if stamp is None:
            return self._message_at
        what = f"{label}: {stamp.location.segment}-{stamp.location.field}"
        return parse_hl7_time(stamp.text, default_tz=self._default_tz, what=what, location=stamp.location)

    def _equipment(self, obx: Seg, sub_id: str) -> str:
        found = _inherited(self._group.equipment, sub_id) if sub_id else None
        return found or obx.get(18)
