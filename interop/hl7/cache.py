"""Which session a monitor message belongs to, from memory: the clinic's sessions in progress and chairs.

Loaded in the filing thread and refreshed when infusions says a session changed state (its
`session_state_changed` signal in this process, its `session_state_version` across processes,
read once per batch) and after a short TTL (chair edits). A hit is confirmed under the session's
row lock when the batch files; a miss is answered from the database by `services.match_session`,
so a stale cache can only cost a query, never a wrong quarantine.
"""

import threading
import time
from collections.abc import Callable
from typing import Any

from clinical.hl7 import OruMessage
from clinical.hl7.errors import UNKNOWN_KEY_IDENTIFIER
from infusions.choices import IN_PROGRESS
from infusions.models import InfusionSession
from infusions.queries import session_state_version
from infusions.signals import session_state_changed
from scheduling.models import Chair

from .senders import SenderRegistry
from .services import NotFiled, chair_matches, location_keys

DEFAULT_TTL_S = 5.0


class SessionCache:
    """The clinic's sessions in progress by MRN, and its chairs (use from one thread)."""

    def __init__(self, clinic: Any, *, ttl_s: float = DEFAULT_TTL_S, clock: Callable[[], float] = time.monotonic) -> None:
        self.clinic, self.ttl_s, self.clock = clinic, ttl_s, clock
        self._stale = threading.Event()
        self._stale.set()
        self._version = -1
        self._loaded_at = float("-inf")
        self._by_mrn: dict[str, list[InfusionSession]] = {}
        self._chairs: list[Chair] = []
        self.loads = 0
        self.senders = SenderRegistry(clinic, clock=clock)
        session_state_changed.connect(self._changed, dispatch_uid=f"hl7-cache-{id(self)}", weak=False)

    def close(self) -> None:
        session_state_changed.disconnect(dispatch_uid=f"hl7-cache-{id(self)}")

    def _changed(self, sender: Any, clinic_id: int | None = None, **kwargs: Any) -> None:
        if clinic_id in (None, self.clinic.pk):
            self._stale.set()

    def forget(self) -> None:
        """Reload before the next match (a session turned out not to be in progress)."""
        self._stale.set()

    def refresh(self) -> None:
        """Reload when told, when another process changed a session, or when the TTL ran out (one query if not)."""
        version = session_state_version()
        if self._stale.is_set() or version != self._version or self.clock() - self._loaded_at > self.ttl_s:
            self._stale.clear()
            self._load(version)

    def _load(self, version: int) -> None:
        by_mrn: dict[str, list[InfusionSession]] = {}
        rows = (InfusionSession.objects.filter(clinic=self.clinic, state__in=IN_PROGRESS)
                .select_related("course", "patient", "chair", "clinic").order_by("pk"))
        for session in rows:
            by_mrn.setdefault(session.patient.mrn, []).append(session)
        self._by_mrn, self._chairs = by_mrn, list(Chair.objects.in_clinic(self.clinic))
        self._version, self._loaded_at = version, self.clock()
        self.loads += 1

    def match(self, parsed: OruMessage) -> InfusionSession | None:
        """The session for PID-3 and PV1-3 as `services.match_session` finds it, None on a miss (ask the database)."""
        sessions = [s for p in parsed.patient_ids for s in self._by_mrn.get(p.id_number, ())]
        if not sessions:
            return None
        keys = location_keys(parsed)
        chairs = {c.pk for c in self._chairs if chair_matches(c, keys)} if keys else set()
        if chairs:
            sessions = [s for s in sessions if s.chair_id in chairs]
            if not sessions:
                raise NotFiled("the chair in PV1-3 is not the chair of the patient's session", UNKNOWN_KEY_IDENTIFIER)
        unique = {s.pk: s for s in sessions}
        if len(unique) > 1:
            raise NotFiled("more than one session in progress matches; send the chair in PV1-3", UNKNOWN_KEY_IDENTIFIER)
        return next(iter(unique.values()))
