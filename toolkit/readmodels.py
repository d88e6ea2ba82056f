"""Signals that tell the read models an input changed (ADR 0013).

A service that writes an input of a stored read model sends one of these inside its own
transaction; the app that owns the read model receives it and brings its rows up to date in
that same transaction, so a committed write never leaves a stale row behind. The signals live
here, below every app, so that a lower app (courses, infusions) need not import the app above
it that keeps the rows (measures).
"""

from typing import Any

from django.dispatch import Signal

course_inputs_changed = Signal()
"""A course's sessions, status or end changed: send with `course_id`."""

clinic_policy_changed = Signal()
"""A clinic's policy settings changed: send with `clinic` and the `keys` that changed."""

SESSION_FIELDS = frozenset({"state", "started_at", "scheduled_start", "course", "course_id", "number"})
"""Session fields the assessment schedule reads; other session writes need no refresh."""


def course_changed(course_id: Any, sender: Any = None) -> None:
    """Tell the read models that a course's inputs changed (a no-op without a course)."""
    if course_id is not None:
        course_inputs_changed.send(sender=sender, course_id=course_id)
