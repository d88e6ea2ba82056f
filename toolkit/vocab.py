"""Django choices and API literals derived from the kernel's enums, so each vocabulary is declared once.

The kernel (``clinical/``) owns a vocabulary's values; an app adds only the
labels people read. ``kernel_choices`` refuses at import a kernel value that
has no label and is not deliberately left out, and a label for a value the
kernel does not have, so the two cannot drift apart.
"""

from collections.abc import Iterable, Mapping
from enum import Enum
from typing import Any, Literal

from django.db import models


def kernel_choices(name: str, kernel: type[Enum], labels: Mapping[str, str], *,
                   omit: Iterable[str] = (), extra: Mapping[str, tuple[str, str]] | None = None) -> Any:
    """Build TextChoices named ``name`` from a kernel enum: its values, in the order of ``labels``.

    ``omit`` names kernel values the app does not store; ``extra`` adds
    app-only members (member name -> (value, label)) after the kernel's.
    """
    values = {member.value: member.name for member in kernel}
    left_out = set(omit)
    unknown = (set(labels) | left_out) - set(values)
    if unknown:
        raise ValueError(f"{name}: {sorted(unknown)} are not values of {kernel.__qualname__}.")
    unlabelled = set(values) - set(labels) - left_out
    if unlabelled:
        raise ValueError(f"{name}: kernel values {sorted(unlabelled)} of {kernel.__qualname__} need a label.")
    members = [(values[value], (value, label)) for value, label in labels.items()]
    members += list((extra or {}).items())
    build: Any = models.TextChoices  # the functional API; a type checker cannot follow dynamic members
    return build(name, members)


def literal_of(values: Iterable[Any]) -> Any:
    """A ``typing.Literal`` of the given values (enum members give their ``value``), for ninja schemas."""
    plain = tuple(getattr(v, "value", v) for v in values)
    if not plain:
        raise ValueError("A literal needs at least one value.")
    literal: Any = Literal  # built at run time, so a type checker sees Any
    return literal[plain]

