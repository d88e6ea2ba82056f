"""What the infusions app asks of the ledger about one session (ketacare/hooks.py finds this module).

infusions may not import inventory (inventory imports infusions), so the session's start gate and
its stop reach the ledger through `infusions.ledger_link`, which loads this module (ADR 0015).
"""

from datetime import datetime
from decimal import Decimal
from typing import Any

from accounts.actors import user_of

from .policy import ledger_policy
from .queries import session_totals
from .services.sessions import record_given as _record_given


def drawn_mg(session: Any) -> tuple[Decimal, Decimal]:
    """The mg drawn for the session (as corrected, less nothing) and the clinic's reconciliation tolerance."""
    return session_totals(session).drawn_mg, ledger_policy(session.clinic).reconciliation_tolerance_mg


def record_given(*, session: Any, mg: Decimal, at: datetime, by: Any) -> str:
    """Write the administration of `mg` at `at` (when the infusion ended); say what was written."""
    user = user_of(by)
    if user is None:
        return f"stopped by {by}: the administration is left to the ledger pages"
    return _record_given(session=session, mg=mg, at=at, by=user)
