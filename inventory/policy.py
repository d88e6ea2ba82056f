"""Ledger settings of a clinic: defaults come from the kernel's LedgerPolicy."""

from decimal import Decimal
from typing import Any

from accounts.policy import Setting, policy_value
from clinical.ledger import LedgerPolicy

_DEFAULT = LedgerPolicy()

SETTINGS = [
    Setting("ledger_reconciliation_tolerance_mg", "Ledger: session reconciliation tolerance (mg)", "decimal",
            _DEFAULT.reconciliation_tolerance_mg, min=Decimal("0"), max=Decimal("10"),
            help="Drawn mg may differ from administered + wasted mg by at most this much (Policy, no authoritative source)."),
    Setting("ledger_retention_years", "Ledger: keep records for (years)", "int", _DEFAULT.retention_years, min=2, max=50,
            help="21 CFR 1304.04 requires at least 2 years; KetaCare never deletes ledger records."),
]


def ledger_policy(clinic: Any) -> LedgerPolicy:
    """Build the kernel's ledger policy from the clinic's settings."""
    return LedgerPolicy(
        reconciliation_tolerance_mg=Decimal(str(policy_value(clinic, "ledger_reconciliation_tolerance_mg"))),
        retention_years=int(policy_value(clinic, "ledger_retention_years")),
    )
