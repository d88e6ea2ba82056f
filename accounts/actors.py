"""Who did something: a staff user, or a named system process acting without one.

Services name their actor last (`record_vitals(..., by=actor)`). A process is named by a plain
string ("hl7:MONITOR-3", "reminders", "escalation", "demo"); the audit log shows that name.
"""

from typing import TypeAlias

from .models import User

Actor: TypeAlias = User | str
"""A signed-in staff user, or the name of a system process (the HL7 listener, a command, the demo)."""


def user_of(by: object) -> User | None:
    """The staff user behind an actor, or None for a system process (or anyone not saved as a user)."""
    return by if isinstance(by, User) and by.pk is not None else None

