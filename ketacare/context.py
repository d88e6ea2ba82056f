"""Template context shared by every page: the navigation the user's role may use."""

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from accounts.choices import Role
from accounts.permissions import Perm, has_perm, permissions_of

# Each menu entry is offered to the roles holding the permission its page declares. Alerts is the
# exception: the menu offers it to chairside staff only; therapists reach alerts from the dashboard.
NAV: list[tuple[str, str, Perm]] = [
    ("Dashboard", "home", Perm.VIEW_PATIENTS),
    ("Patients", "patients:list", Perm.VIEW_PATIENTS),
    ("Schedule", "scheduling:schedule", Perm.BOOK_SESSIONS),
    ("Calendar", "scheduling:calendar", Perm.BOOK_SESSIONS),
    ("Due", "measures:due", Perm.VIEW_PATIENTS),
    ("Alerts", "alerts:list", Perm.OPEN_SESSIONS),
    ("Ledger", "inventory:home", Perm.VIEW_LEDGER),
    ("Outcomes", "outcomes:report", Perm.VIEW_OUTCOMES),
    ("Protocols", "courses:protocols", Perm.MANAGE_PROTOCOLS),
    ("Clinic", "accounts:clinic_settings", Perm.MANAGE_CLINIC),
    ("Instruments", "interop:instruments", Perm.IMPORT_WORDING),
    ("Audit", "audit:log", Perm.VIEW_AUDIT_LOG),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    role = getattr(request, "role", None)
    items = []
    for label, name, perm in NAV:
        if has_perm(role, perm):
            try:
                items.append({"label": label, "url": reverse(name), "active": request.path.startswith(reverse(name)) and reverse(name) != "/"})
            except NoReverseMatch:
                continue
    return {
        "nav_items": items,
        "active_clinic": getattr(request, "clinic", None),
        "active_role": role,
        "may": frozenset(p.value for p in permissions_of(role)),  # what the role may do, for showing buttons
        "active_role_label": Role(role).label if role else "",
        "memberships": getattr(request, "memberships", []),
    }
