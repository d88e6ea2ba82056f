"""Find the optional per-app modules the project composes (dashboard, chart, demo, api, urls, policy).

The answer depends only on the installed code, so it is worked out once per process and kept
(issue 9: the dashboard re-imported modules 1,500 times per view at 1,000 patients; ADR 0013).
"""

from functools import cache
from importlib import import_module
from types import ModuleType


def app_modules(name: str, apps: list[str] | tuple[str, ...]) -> list[tuple[str, ModuleType]]:
    """Import `<app>.<name>` for each app that has one, in order; other import errors propagate."""
    return list(_app_modules(name, tuple(apps)))


@cache
def _app_modules(name: str, apps: tuple[str, ...]) -> tuple[tuple[str, ModuleType], ...]:
    found = []
    for app in apps:
        try:
            found.append((app, import_module(f"{app}.{name}")))
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.{name}":
                raise
    return tuple(found)
