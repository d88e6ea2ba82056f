"""Signals infusions sends; other apps listen without infusions knowing them (interop's session cache)."""

from django.dispatch import Signal

# Sent after the commit of a session's state change (check-in, start, pause, stop, discharge, ...), with
# `session_id` and `clinic_id`. In-process only: another process compares `queries.session_state_version`.
session_state_changed = Signal()
