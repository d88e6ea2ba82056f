"""Pure rules of the Schedule III ketamine ledger (CLINICAL.md section 6).

The ledger is append-only: a mistake is put right by a correction that points
at the entry it corrects. Balances are mL per (lot, location); mg is derived
(mL x strength). The Django inventory app stores entries and calls these rules:
`validate_entry` before writing, `apply` for the balance after, `replay` to
rebuild or audit, `reconcile_sessions` for the session report, and the record
rules for retention (21 CFR 1304.04) and the biennial inventory (1304.11).
"""

from clinical.ledger.balances import InvalidEntryError, apply, describe_balances, replay
from clinical.ledger.entries import (
    Balance,
    BalanceKey,
    CountResult,
    Delta,
    EntryKind,
    LedgerEntryIn,
    LedgerPolicy,
    LocationKey,
    LotInfo,
    LotKey,
    Movement,
    Quantity,
    Unit,
)
from clinical.ledger.quantities import mg_from_ml, ml_from_mg, quantity_of
from clinical.ledger.reconcile import (
    ReconciliationReport,
    SessionAmount,
    SessionReconciliation,
    reconcile_entries,
    reconcile_sessions,
)
from clinical.ledger.records import (
    InventoryStatus,
    count_discrepancy,
    inventory_due,
    purge_allowed,
    retained_until,
)
from clinical.ledger.validate import validate_entry

__all__ = [
    "Balance",
    "BalanceKey",
    "CountResult",
    "Delta",
    "EntryKind",
    "InvalidEntryError",
    "InventoryStatus",
    "LedgerEntryIn",
    "LedgerPolicy",
    "LocationKey",
    "LotInfo",
    "LotKey",
    "Movement",
    "Quantity",
    "ReconciliationReport",
    "SessionAmount",
    "SessionReconciliation",
    "Unit",
    "apply",
    "count_discrepancy",
    "describe_balances",
    "inventory_due",
    "mg_from_ml",
    "ml_from_mg",
    "purge_allowed",
    "quantity_of",
    "reconcile_entries",
    "reconcile_sessions",
    "replay",
    "retained_until",
    "validate_entry",
]
