"""Enumerate every page route and API operation with the permission it declares (for generated tests).

The roles of a route are read from the permission table (accounts/permissions.py), not from the view.
"""

import re
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from accounts.access import PUBLIC, SIGNED_IN, allowed_roles


@dataclass(frozen=True)
class Route:
    kind: str  # "page" | "api"
    name: str  # url name or "METHOD /api/path"
    path_template: str
    kwargs: tuple[str, ...]
    permission: str | None  # a Perm value, SIGNED_IN or PUBLIC; None when the route declares nothing
    methods: tuple[str, ...] = ("GET", "POST")

    @property
    def roles(self) -> frozenset[str] | None:
        return None if self.permission is None else allowed_roles(self.permission)

    @property
    def public(self) -> bool:
        return PUBLIC in self.roles

    def allows(self, role: str) -> bool:
        roles = self.roles or frozenset()
        return SIGNED_IN in roles or PUBLIC in roles or role in roles

    @property
    def object_kwargs(self) -> tuple[str, ...]:
        return tuple(k for k in self.kwargs if k != "token")


def _permission(view: Any) -> str | None:
    """The permission a view declares with @allow, @api_allow or @public."""
    declared = getattr(view, "permission", None)
    return None if declared is None else str(declared)


def page_routes() -> list[Route]:
    found: list[Route] = []

    def walk(patterns: list[Any], ns: str, prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace in ("api", "fhir"):  # bearer-token APIs: their own matrix tests
                    continue
                walk(p.url_patterns, f"{ns}{p.namespace}:" if p.namespace else ns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                kwargs = tuple(getattr(p.pattern, "converters", {}).keys())
                found.append(Route("page", f"{ns}{p.name}", prefix + str(p.pattern), kwargs, _permission(p.callback)))

    walk(get_resolver().url_patterns, "", "/")
    return found


def api_routes() -> list[Route]:
    from ketacare.api import api

    found: list[Route] = []
    for prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for op in view.operations:
                full = "/api" + ("/" + prefix.strip("/") if prefix.strip("/") else "") + path
                full = re.sub(r"{\w+:(\w+)}", r"{\1}", full)  # "{int:course_id}" -> "{course_id}"
                kwargs = tuple(re.findall(r"{(\w+)}", full))
                for method in op.methods:
                    found.append(Route("api", f"{method} {full}", full, kwargs, _permission(op.view_func), (method,)))
    return found
