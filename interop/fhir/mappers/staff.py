"""Practitioner and PractitionerRole from staff users and their memberships."""

from typing import Any

from .. import codes
from .common import concept, meta, prune, ref


def practitioner_resource(user: Any) -> dict[str, Any]:
    """Practitioner: the staff user's name and login as an identifier (no contact details)."""
    name = prune({"family": user.last_name, "given": [user.first_name] if user.first_name else [], "text": str(user)})
    return prune({
        "resourceType": "Practitioner", "id": str(user.pk), "meta": meta(user.date_joined),
        "identifier": [{"system": f"{codes.base()}/sid/staff", "value": user.username}],
        "active": bool(user.is_active), "name": [name],
    })


def practitioner_role_resource(membership: Any) -> dict[str, Any]:
    """PractitionerRole: the user's role in one clinic."""
    return {
        "resourceType": "PractitionerRole", "id": str(membership.pk), "active": bool(membership.active),
        "practitioner": ref("Practitioner", membership.user_id), "organization": ref("Organization", membership.clinic_id),
        "code": [concept(codes.local("role"), membership.role, membership.get_role_display())],
    }
