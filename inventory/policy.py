"""Ledger settings of a clinic: defaults come from the kernel's LedgerPolicy."""

from decimal import Decimal
from typing import Any

from accounts.policy import Setting, policy_value
from clinical.ledger import LedgerPolicy

_DEFAULT = LedgerPolicy()

SETTINGS = [
    Setting("ledger_reconciliation_tolerance_mg", "Ledger: session reconciliation tolerance", "decimal",
            _DEFAULT.reconciliation_tolerance_mg, min=Decimal("0"), max=Decimal("10"), unit="mg",
            help="Drawn ketamine may differ from administered plus wasted by at most this much (no published figure)."),
    Setting("ledger_retention_years", "Ledger: keep records for", "int", _DEFAULT.retention_years, min=2, max=50,
            unit="years",
            help="21 CFR 1304.04 requires at least 2 years; KetaCare never deletes ledger records."),
]


def ledger_policy(clinic: Any) -> LedgerPolicy:
    """Build the kernel's ledger policy from the clinic's settings."""
    return LedgerPolicy(
        reconciliation_tolerance_mg=Decimal(str(policy_value(clinic, "ledger_reconciliation_tolerance_mg"))),
        retention_years=int(policy_value(clinic, "ledger_retention_years")),
    )
