"""Transitional re-exports: these rules now live in modules named for what they hold.

Import from ``clinical.phases``, ``clinical.hl7.readings``, ``clinical.dose_preview``
and ``clinical.thresholds``; this module goes once no branch still imports it.
"""

from clinical.dose_preview import preview_dose
from clinical.hl7.readings import TimedReading, readings_from_observations
from clinical.phases import phase_at, phase_of
from clinical.thresholds import THRESHOLD_KEYS, thresholds_from_protocol

__all__ = ["THRESHOLD_KEYS", "TimedReading", "phase_at", "phase_of", "preview_dose", "readings_from_observations",
           "thresholds_from_protocol"]
