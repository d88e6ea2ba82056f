"""Template context shared by every page: the navigation the user's role may use."""

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from accounts.choices import Role

R = Role
NAV: list[tuple[str, str, frozenset[str]]] = [
    ("Dashboard", "home", frozenset({R.PRESCRIBER, R.NURSE, R.THERAPIST, R.FRONT_DESK, R.CLINIC_ADMIN})),
    ("Patients", "patients:list", frozenset({R.PRESCRIBER, R.NURSE, R.THERAPIST, R.FRONT_DESK, R.CLINIC_ADMIN})),
    ("Schedule", "scheduling:schedule", frozenset({R.PRESCRIBER, R.NURSE, R.FRONT_DESK, R.CLINIC_ADMIN})),
    ("Calendar", "scheduling:calendar", frozenset({R.PRESCRIBER, R.NURSE, R.FRONT_DESK, R.CLINIC_ADMIN})),
    ("Due", "measures:due", frozenset({R.PRESCRIBER, R.NURSE, R.THERAPIST, R.FRONT_DESK, R.CLINIC_ADMIN})),
    ("Alerts", "alerts:list", frozenset({R.PRESCRIBER, R.NURSE})),
    ("Ledger", "inventory:home", frozenset({R.INVENTORY_OFFICER, R.NURSE, R.PRESCRIBER, R.CLINIC_ADMIN})),
    ("Outcomes", "outcomes:report", frozenset({R.PRESCRIBER, R.CLINIC_ADMIN, R.RESEARCHER})),
    ("Protocols", "courses:protocols", frozenset({R.PRESCRIBER, R.CLINIC_ADMIN})),
    ("Clinic", "accounts:clinic_settings", frozenset({R.CLINIC_ADMIN})),
    ("Instruments", "measures:instruments", frozenset({R.CLINIC_ADMIN})),
    ("Audit", "audit:log", frozenset({R.CLINIC_ADMIN})),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    role = getattr(request, "role", None)
    items = []
    for label, name, roles in NAV:
        if role in roles:
            try:
                items.append({"label": label, "url": reverse(name), "active": request.path.startswith(reverse(name)) and reverse(name) != "/"})
            except NoReverseMatch:
                continue
    return {
        "nav_items": items,
        "active_clinic": getattr(request, "clinic", None),
        "active_role": role,
        "active_role_label": Role(role).label if role else "",
        "memberships": getattr(request, "memberships", []),
    }
