"""Every write of the interop app; callers import from here (HL7 filing and quarantine, FHIR wording import)."""

from .fhir.wording import import_wording
from .hl7.services import Filing, assign_hl7_message, dismiss_hl7_message, file_hl7_message

__all__ = ["Filing", "assign_hl7_message", "dismiss_hl7_message", "file_hl7_message", "import_wording"]
