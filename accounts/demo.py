"""The demo's shared context: the clinic, one user per role, the patients with their planned stage.

`ketacare.demo.build_apps` hands one `DemoContext` to each app's `demo.build`; accounts owns it
because the context's clinic and staff are accounts' rows, and every app may import accounts.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

STAGES = ("screening", "eligible", "ineligible", "mid_course", "finished", "follow_up")


@dataclass
class DemoPatient:
    patient: Any
    stage: str  # one of STAGES
    responder: bool = False
    course: Any = None
    sessions: list[Any] = field(default_factory=list)  # booked InfusionSessions, in order
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class DemoContext:
    clinic: Any
    users: dict[str, Any]  # role -> user
    passwords: dict[str, str]  # username -> password
    now: datetime
    rng: random.Random
    patients: list[DemoPatient] = field(default_factory=list)
    chairs: list[Any] = field(default_factory=list)
    protocol: Any = None
    progress: Callable[[str], None] = lambda message: None
    after: list[Callable[[], None]] = field(default_factory=list)  # run once every app has built
    # Called by the infusions demo with (session, at) before each start: the ledger draws the dose then.
    before_start: list[Callable[[Any, datetime], None]] = field(default_factory=list)
    small: bool = False  # one patient or two per stage: for tests that need every kind of object quickly

    def second_user(self, role: str) -> Any:
        """A second user of `role` (e.g. the nurse who double-checks a dose or witnesses waste)."""
        key = f"{role}2"
        if key not in self.users:
            from accounts import services as accounts

            username = role.replace("_", "") + "2"
            password = f"{role.replace('_', '-')}-synthetic-only-2"
            self.users[key] = accounts.create_staff(clinic=self.clinic, username=username, password=password, role=role,
                                                    first_name="Second", last_name=role.replace("_", " ").title(),
                                                    email=f"{username}@demo.invalid", by="demo")
            self.passwords[username] = password
        return self.users[key]

    def by_stage(self, *stages: str) -> list[DemoPatient]:
        return [p for p in self.patients if p.stage in stages]

    def mrn(self, mrn: str) -> DemoPatient:
        return next(p for p in self.patients if p.patient.mrn == mrn)
