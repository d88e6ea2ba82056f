"""Scoped reads of the accounts app, and the role check services use."""

from typing import Any

from ketacare.errors import ServiceError

from .models import Membership, User


def role_of(user: Any, clinic: Any) -> str | None:
    """The user's active role in the clinic, or None."""
    if user is None or getattr(user, "pk", None) is None or clinic is None:
        return None
    return Membership.objects.filter(user=user, clinic=clinic, active=True).values_list("role", flat=True).first()


def require_role(user: Any, clinic: Any, *roles: str, to: str) -> str:
    """Refuse unless the user holds one of `roles` in the clinic; `to` names the action."""
    role = role_of(user, clinic)
    if role not in {str(r) for r in roles}:
        raise ServiceError(f"Your role does not allow you to {to}.")
    return role  # type: ignore[return-value]


def staff_with_role(clinic: Any, *roles: str) -> list[User]:
    """Active users of the clinic holding one of `roles`."""
    return list(User.objects.filter(memberships__clinic=clinic, memberships__active=True,
                                    memberships__role__in=roles, is_active=True).order_by("username"))
