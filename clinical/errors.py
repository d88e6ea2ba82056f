"""Domain errors raised by the kernel."""


class ClinicalError(ValueError):
    """Input a clinical rule cannot accept; the message is shown to the user."""
