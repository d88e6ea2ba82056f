"""Enumerate every page route and API operation with the roles it declares (for generated tests)."""

import re
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from ketacare.access import PUBLIC, SIGNED_IN


@dataclass(frozen=True)
class Route:
    kind: str  # "page" | "api"
    name: str  # url name or "METHOD /api/path"
    path_template: str
    kwargs: tuple[str, ...]
    roles: frozenset[str]
    methods: tuple[str, ...] = ("GET", "POST")

    @property
    def public(self) -> bool:
        return PUBLIC in self.roles

    def allows(self, role: str) -> bool:
        return SIGNED_IN in self.roles or PUBLIC in self.roles or role in self.roles

    @property
    def object_kwargs(self) -> tuple[str, ...]:
        return tuple(k for k in self.kwargs if k != "token")


def page_routes() -> list[Route]:
    found: list[Route] = []

    def walk(patterns: list[Any], ns: str, prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace in ("api", "fhir"):  # bearer-token APIs: their own matrix tests
                    continue
                walk(p.url_patterns, f"{ns}{p.namespace}:" if p.namespace else ns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                roles = getattr(p.callback, "allowed_roles", None)
                kwargs = tuple(getattr(p.pattern, "converters", {}).keys())
                found.append(Route("page", f"{ns}{p.name}", prefix + str(p.pattern), kwargs, roles))

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
                roles = getattr(op.view_func, "allowed_roles", None)
                for method in op.methods:
                    found.append(Route("api", f"{method} {full}", full, kwargs, roles, (method,)))
    return found
