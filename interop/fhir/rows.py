"""Where the FHIR face finds the KetaCare models it maps (one place to follow app moves).

Chairs move from `courses` to `scheduling`; allergies arrive in `patients` with another
issue. Both are looked up here at call time, so the mappers never import a moving model.
"""

from typing import Any

from django.apps import apps


def _first_model(*labels: str) -> Any:
    for label in labels:
        try:
            return apps.get_model(label)
        except LookupError:
            continue
    return None


def chair_model() -> Any:
    """The Chair model, wherever it lives now."""
    return _first_model("scheduling.Chair", "courses.Chair")


def model(label: str) -> Any:
    return apps.get_model(label)
