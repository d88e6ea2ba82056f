"""Find the optional per-app modules the project composes (dashboard, chart, demo, api, urls, policy)."""

from importlib import import_module
from types import ModuleType


def app_modules(name: str, apps: list[str]) -> list[tuple[str, ModuleType]]:
    """Import `<app>.<name>` for each app that has one, in order; other import errors propagate."""
    found = []
    for app in apps:
        try:
            found.append((app, import_module(f"{app}.{name}")))
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.{name}":
                raise
    return found
