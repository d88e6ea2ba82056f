"""Every write of the controlled-substance ledger (CLINICAL.md section 6).

Each service is keyword-only with its actor last, checks the role, locks the lot's row,
lets the kernel (`clinical.ledger`) validate the entry against the current balance, and
writes the entry with its audit event in one transaction.
"""

from .common import now
from .corrections import correct_entry
from .counts import CountLine, record_count, resolve_discrepancy, take_inventory
from .sessions import draw_for_session, record_administration, record_waste
from .setup import add_location, add_product, add_supplier
from .stock import destroy_stock, receive_stock, record_loss, transfer

__all__ = [
    "CountLine",
    "add_location",
    "add_product",
    "add_supplier",
    "correct_entry",
    "destroy_stock",
    "draw_for_session",
    "now",
    "receive_stock",
    "record_administration",
    "record_count",
    "record_loss",
    "record_waste",
    "resolve_discrepancy",
    "take_inventory",
    "transfer",
]
