"""A cohort of the clinic's patients -> Group (type person, actual, its members)."""

from typing import Any

from .common import prune, ref


def group_resource(row: Any) -> dict[str, Any]:
    return prune({
        "resourceType": "Group", "id": row.pk, "active": True, "type": "person", "actual": True, "name": row.name,
        "quantity": len(row.members), "managingEntity": ref("Organization", row.clinic.pk, row.clinic.name),
        "member": [{"entity": ref("Patient", pk)} for pk in row.members],
    })
