"""Which details each kind of ledger entry must carry, and who may witness it.

Sources (CLINICAL.md section 6): dispenser records, 21 CFR 1304.22(c);
wastage witness, 79 FR 53519; destruction on DEA Form 41 with two employee
witnesses; theft or loss on DEA Form 106.
"""

from __future__ import annotations

from collections.abc import Mapping

from clinical.errors import ClinicalError
from clinical.ledger.entries import EntryKind, LedgerEntryIn

K = EntryKind

REQUIRED_DETAILS: Mapping[EntryKind, tuple[tuple[str, str], ...]] = {
    # 21 CFR 1304.22(c): containers received, with date and supplier.
    K.RECEIPT: (
        ("supplier_ref", "the supplier (name, address, DEA number; 21 CFR 1304.22(c))"),
        ("containers", "the number of containers received (21 CFR 1304.22(c))"),
    ),
    K.DRAW: (("container_id", "the container it was drawn from"),),
    # 21 CFR 1304.22(c): each administration with patient, date, amount, who gave it.
    K.ADMINISTRATION: (
        ("session_ref", "the infusion session"),
        ("patient_ref", "the patient (21 CFR 1304.22(c))"),
    ),
    K.WASTE: (("session_ref", "the infusion session whose leftover was wasted"),),
    # DEA Form 41: date, manner (method) and place of destruction.
    K.DESTRUCTION: (
        ("method", "the method of destruction (DEA Form 41)"),
        ("place", "the place of destruction (DEA Form 41)"),
    ),
    K.LOSS_OR_THEFT: (("report_ref", "the loss or theft report reference (DEA Form 106)"),),
    K.TRANSFER: (("to_location", "the location the stock goes to"),),
    K.COUNT: (),
    K.CORRECTION: (
        ("corrects_entry_id", "the entry it corrects (the ledger is append-only)"),
        ("reason", "the reason for the correction"),
    ),
    K.RETURN: (),
}

ONLY_ON: Mapping[str, EntryKind] = {
    "containers": K.RECEIPT,
    "supplier_ref": K.RECEIPT,
    "to_location": K.TRANSFER,
    "corrects_entry_id": K.CORRECTION,
}
"""Details that mean something on one kind only; elsewhere they signal a mix-up."""

WITNESSES_REQUIRED: Mapping[EntryKind, int] = {
    K.WASTE: 1,  # 79 FR 53519: wastage recorded, commonly witnessed (the project requires it)
    K.DESTRUCTION: 2,  # DEA Form 41: two employee witnesses
}


def _present(value: object) -> bool:
    """Tell whether an optional detail was filled in (blank text counts as missing)."""
    if value is None:
        return False
    return not (isinstance(value, str) and not value.strip())


def check_details(entry: LedgerEntryIn) -> None:
    """Refuse an entry that lacks a detail its kind needs or carries a foreign one."""
    for name, label in REQUIRED_DETAILS[entry.kind]:
        if not _present(getattr(entry, name)):
            raise ClinicalError(f"A {entry.kind.value} entry must record {label}.")
    for name, kind in ONLY_ON.items():
        if entry.kind is not kind and _present(getattr(entry, name)):
            raise ClinicalError(
                f"{name} belongs on a {kind.value} entry, not on a {entry.kind.value}."
            )
    if entry.estimated and entry.kind is not K.COUNT:
        raise ClinicalError("Only a count may be marked estimated (21 CFR 1304.11).")
    _check_containers(entry)


def _check_containers(entry: LedgerEntryIn) -> None:
    """Refuse a receipt whose container count is not a positive whole number."""
    count = entry.containers
    if count is None:
        return
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ClinicalError(f"A receipt must bring at least 1 container, got {count!r}.")


def check_people(entry: LedgerEntryIn) -> None:
    """Refuse an entry whose actor or witnesses break the witness rules."""
    if not _present(entry.actor_id):
        raise ClinicalError(f"A {entry.kind.value} entry must name who recorded it.")
    witnesses = entry.witness_ids
    if any(not _present(w) for w in witnesses):
        raise ClinicalError("A witness must be named; a blank witness was given.")
    if len(set(witnesses)) != len(witnesses):
        raise ClinicalError("Each witness must be a different person; a witness is listed twice.")
    if entry.actor_id in witnesses:
        raise ClinicalError(
            f"The witness must be someone other than {entry.actor_id}, who recorded the "
            f"{entry.kind.value}."
        )
    needed = WITNESSES_REQUIRED.get(entry.kind, 0)
    if len(witnesses) < needed:
        raise ClinicalError(_too_few_witnesses(entry.kind, needed, len(witnesses)))


def _too_few_witnesses(kind: EntryKind, needed: int, got: int) -> str:
    """Say how many witnesses a kind needs and how many were given."""
    source = "DEA Form 41" if kind is K.DESTRUCTION else "79 FR 53519"
    plural = "es" if needed > 1 else ""
    return (
        f"A {kind.value} needs {needed} witness{plural} other than the person recording it "
        f"({source}); {got} given."
    )
