"""Organization (the clinic) and Location (each infusion chair)."""

from typing import Any

from .. import codes
from .common import concept, meta, prune, ref


def organization_resource(clinic: Any) -> dict[str, Any]:
    """Organization: the clinic, identified by its slug."""
    return {
        "resourceType": "Organization", "id": str(clinic.pk), "meta": meta(clinic.created_at),
        "identifier": [{"system": f"{codes.base()}/sid/clinic", "value": clinic.slug}], "active": True, "name": clinic.name,
    }


def location_resource(chair: Any) -> dict[str, Any]:
    """Location: an infusion chair of the clinic, with the point-of-care code its monitor sends."""
    identifiers = [{"system": f"{codes.base()}/sid/{chair.clinic.slug}/point-of-care", "value": chair.location_code}]
    return prune({
        "resourceType": "Location", "id": str(chair.pk), "status": "active" if chair.active else "inactive",
        "identifier": identifiers if chair.location_code else [], "name": chair.name, "mode": "instance",
        "description": "Infusion chair",
        "physicalType": concept(codes.LOCATION_TYPE, "bd", "Bed", text="Infusion chair"),
        "managingOrganization": ref("Organization", chair.clinic_id),
    })
