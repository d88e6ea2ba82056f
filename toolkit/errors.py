"""The one error type services raise for input they refuse; faces show its message."""

from typing import Any

from clinical.errors import ClinicalError


class ServiceError(ValueError):
    """A refused request: nothing was written; `field_errors` names the offending fields."""

    def __init__(self, message: str, field_errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}

    @classmethod
    def from_kernel(cls, exc: ClinicalError, message: str = "") -> "ServiceError":
        """The kernel's refusal as a service refusal, on the field the kernel named (if any)."""
        text = message or str(exc)
        return cls(text, {exc.field: str(exc)} if exc.field else {})

    def as_dict(self) -> dict[str, Any]:
        return {"detail": self.message, "fields": self.field_errors}
