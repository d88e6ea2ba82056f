"""The controlled-substance ledger's part in a session, reached without importing the ledger app (ADR 0015).

The app that keeps the ledger offers `<app>/session_ledger.py` with `drawn_mg(session)` and
`record_given(session=, mg=, at=, by=)`. The start gate fails closed: with no ledger app
installed, a session cannot start on the ledger's say-so.
"""

from datetime import datetime
from decimal import Decimal
from types import ModuleType
from typing import Any

from toolkit.errors import ServiceError
from toolkit.hooks import app_modules

APPS = ["inventory"]


def _ledger() -> ModuleType:
    found = app_modules("session_ledger", APPS)
    if not found:
        raise ServiceError("No controlled-substance ledger is installed, so the draw for this session cannot be checked.")
    return found[0][1]


def drawn_mg(session: Any) -> tuple[Decimal, Decimal]:
    """The mg drawn for the session and the clinic's reconciliation tolerance, from the ledger."""
    drawn, tolerance = _ledger().drawn_mg(session)
    return Decimal(drawn), Decimal(tolerance)


def record_given(*, session: Any, mg: Decimal, at: datetime, by: Any) -> str:
    """Ask the ledger to write the administration of what was given; return what it wrote."""
    return str(_ledger().record_given(session=session, mg=mg, at=at, by=by))
