"""Every write of the interop app; callers import from here (HL7 filing and quarantine, FHIR wording import)."""

from .fhir.wording import import_wording
from .hl7.quarantine import accept_held_message, expire_quarantine, reject_held_message
from .hl7.senders import default_sender, register_sender, retire_sender
from .hl7.services import Filing, assign_hl7_message, dismiss_hl7_message, file_hl7_message

__all__ = ["Filing", "accept_held_message", "assign_hl7_message", "default_sender", "dismiss_hl7_message",
           "expire_quarantine", "file_hl7_message", "import_wording", "register_sender", "reject_held_message",
           "retire_sender"]
