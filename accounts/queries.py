"""Scoped reads of the accounts app, and the permission check services use."""

from typing import Any

from toolkit.errors import ServiceError

from .actors import Actor, user_of
from .models import Membership, User
from .permissions import Perm, has_perm


def role_of(user: Actor | None, clinic: Any) -> str | None:
    """The user's active role in the clinic, or None (also for a system process)."""
    staff = user_of(user)
    if staff is None or clinic is None:
        return None
    return Membership.objects.filter(user=staff, clinic=clinic, active=True).values_list("role", flat=True).first()


def require(perm: Perm, by: Actor, clinic: Any, *, to: str = "") -> str:
    """Refuse unless `by` holds `perm` in the clinic (its active role); `to` names the action refused."""
    role = role_of(by, clinic)
    if role is None or not has_perm(role, perm):
        raise ServiceError(f"Your role does not allow you to {to or perm.value.replace('_', ' ')}.")
    return role


def staff_with_role(clinic: Any, *roles: str) -> list[User]:
    """Active users of the clinic holding one of `roles`."""
    return list(User.objects.filter(memberships__clinic=clinic, memberships__active=True,
                                    memberships__role__in=roles, is_active=True).order_by("username"))
