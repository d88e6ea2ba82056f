"""The staff password policy: Django's configured validators, called wherever a password is set."""

from django.contrib.auth.password_validation import password_validators_help_texts, validate_password
from django.core.exceptions import ValidationError

from .errors import AccountError
from .models import User


class VarietyValidator:
    """Refuse a password of a few repeated characters ('aaaaaaaaaaaa', 'abababababab'), which the length rule lets through."""

    def __init__(self, min_distinct: int = 5) -> None:
        self.min_distinct = min_distinct

    def validate(self, password: str, user: object = None) -> None:
        if len(set(password)) < self.min_distinct:
            raise ValidationError(f"This password must contain at least {self.min_distinct} different characters.",
                                  code="password_too_repetitive")

    def get_help_text(self) -> str:
        return f"Your password must contain at least {self.min_distinct} different characters."


def check_password(password: str, *, user: User, field: str = "password") -> None:
    """Refuse a password the policy rejects (too short, common, numeric, like the user's name), saying every reason."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        reasons = " ".join(exc.messages)
        raise AccountError(f"That password is refused: {reasons}", {field: reasons}) from None


def policy_text() -> str:
    """The rules in words, for forms."""
    return " ".join(password_validators_help_texts())
