"""The one order in which services take row locks, so no two transactions can deadlock (ADR 0010).

Lock the smallest row that protects the invariant, never a clinic row or a global row on a hot
path. A transaction that locks several rows takes them in this order, rows of one kind in
ascending primary key, and locks nothing earlier in the list once it holds a later one:

 1. accounts.User               sign-in counters (a transaction of its own)
 2. accounts.Clinic             policy edits only (a transaction of its own, never on a hot path)
 3. patients.Patient            ordering a course (one active course per patient)
 4. scheduling.Chair            booking, rescheduling (a chair holds one session at a time), ascending id
 5. courses.TreatmentCourse     booking (sessions of a course do not overlap)
 6. infusions.InfusionSession   every chairside write, typed or from the monitor feed
 7. infusions.Hl7Message        filing, assigning or dismissing a held message
 8. alerts.Alert                acknowledging, closing
 9. inventory.Lot               every ledger movement (the lot balance), ascending id
10. inventory.Container         its state after a draw (written, not locked first)
11. inventory.SessionLedger     a session's stored ledger totals, after the entry that changes them (ADR 0013)
12. inventory.Discrepancy       resolving it
13. measures.PatientLink        using a patient's one-time link
14. measures.DueSlot            a course's stored assessment slots, by the read-model refresh (ADR 0013)
15. audit.AuditChain            the audit sealer only, alone in its own short transaction

Every lock is FOR NO KEY UPDATE of the row itself (`for_update`): not of rows that a
select_related joins in (that is how a session lock used to lock its clinic, course, patient and
chair), and not in the FOR UPDATE mode that would make every insert referencing the row (a
foreign-key check takes FOR KEY SHARE) wait for the lock. The audit trail takes no lock at all on
the write path (audit.sealing). SQLite serialises writers instead (IMMEDIATE transactions), so
there these locks are no-ops and the order costs nothing.
"""

from typing import TypeVar

from django.db.models import Manager, Model, QuerySet

M = TypeVar("M", bound=Model)


def for_update(rows: QuerySet[M] | Manager[M]) -> QuerySet[M]:
    """Lock the selected rows themselves, in the no-key mode that inserts referencing them never wait for."""
    return rows.all().select_for_update(no_key=True, of=("self",))
