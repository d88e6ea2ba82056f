"""Domain errors raised by the kernel."""


class ClinicalError(ValueError):
    """Input a clinical rule cannot accept; the message is shown to the user.

    `field` names the input the refusal concerns (e.g. "diastolic_mmhg"), so faces can show it beside
    that field without reading the message; "" when it concerns the input as a whole.
    """

    def __init__(self, message: str = "", *, field: str = "") -> None:
        super().__init__(message)
        self.field = field
