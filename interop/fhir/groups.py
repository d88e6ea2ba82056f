"""The clinic's cohorts as FHIR Groups: read as `Group/{id}` and exported by `Group/{id}/$export`."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# Each cohort is a query over the clinic's patients.
GROUPS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "all-patients": ("Every patient of the clinic", lambda qs: qs),
    "active-course": ("Patients with an active course", lambda qs: qs.filter(courses__status="active").distinct()),
    "completed-course": ("Patients with a completed course", lambda qs: qs.filter(courses__status="completed").distinct()),
}


@dataclass(frozen=True)
class GroupRow:
    """One cohort of one clinic, with its members' patient ids (what the Group resource lists)."""

    pk: str
    name: str
    clinic: Any
    members: tuple[int, ...]


def cohort(clinic: Any, group_id: str) -> Any:
    """The clinic's patients in a cohort (a queryset)."""
    from patients.models import Patient

    return GROUPS[group_id][1](Patient.objects.filter(clinic=clinic))


def group_rows(clinic: Any) -> list[GroupRow]:
    return [GroupRow(key, name, clinic, tuple(cohort(clinic, key).order_by("pk").values_list("pk", flat=True)))
            for key, (name, _) in GROUPS.items()]
