"""The staff password policy: Django's configured validators, called wherever a password is set."""

from django.contrib.auth.password_validation import password_validators_help_texts, validate_password
from django.core.exceptions import ValidationError

from ketacare.errors import ServiceError

from .models import User


def check_password(password: str, *, user: User, field: str = "password") -> None:
    """Refuse a password the policy rejects (too short, common, numeric, like the user's name), saying every reason."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        reasons = " ".join(exc.messages)
        raise ServiceError(f"That password is refused: {reasons}", {field: reasons}) from None


def policy_text() -> str:
    """The rules in words, for forms."""
    return " ".join(password_validators_help_texts())
