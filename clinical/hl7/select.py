"""Keep one reading per vital sign and time when a monitor sends variants."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from clinical.hl7.codes import VitalKind, entry_for_source
from clinical.hl7.model import DeviceObservation


def _rank(observation: DeviceObservation) -> int:
    entry = entry_for_source(observation.source_code)
    return entry.rank if entry else 99


def select_preferred(
    observations: Iterable[DeviceObservation],
) -> tuple[DeviceObservation, ...]:
    """Return, per (kind, observed_at), the reading from the preferred source.

    Preference is the ``rank`` in clinical/hl7/codes.py (ECG heart rate over
    oximeter pulse; capnography respiratory rate over impedance). On a tie the
    first reading in message order wins. Order of first appearance is kept.
    """
    best: dict[tuple[VitalKind, datetime], DeviceObservation] = {}
    for observation in observations:
        key = (observation.kind, observation.observed_at)
        current = best.get(key)
        if current is None or _rank(observation) < _rank(current):
            best[key] = observation
    return tuple(best.values())
