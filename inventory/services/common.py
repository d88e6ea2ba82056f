"""What every ledger write shares: the lock, the kernel check, the witness check, the entry and its audit."""

import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import wraps
from typing import Any, ParamSpec, TypeVar
from zoneinfo import ZoneInfo

from django.db import OperationalError, transaction

from accounts import services as accounts
from accounts.models import Clinic, User
from accounts.permissions import Perm, has_perm
from accounts.queries import role_of
from audit import services as audit
from clinical.errors import ClinicalError
from clinical.ledger import EntryKind, LedgerEntryIn, LotInfo, Movement, validate_entry
from clinical.ledger.rules import check_people
from toolkit.errors import ServiceError
from toolkit.locking import for_update

from .. import readmodel
from ..models import LedgerEntry, Location, Lot
from ..queries import balance_ml

P = ParamSpec("P")
T = TypeVar("T")
CLOCK_SKEW = timedelta(minutes=2)


def now() -> datetime:
    return datetime.now(UTC)


def retry_when_locked(func: Callable[P, T]) -> Callable[P, T]:
    """Run a write again when SQLite's shared-cache test database reports a busy table.

    On PostgreSQL the Lot row lock makes the second writer wait; on SQLite in WAL mode the
    busy timeout does. SQLite's in-memory shared cache (the test database) answers
    "table is locked" at once instead, so the outermost call retries after a pause and then
    sees the balance the first writer left.
    """

    @wraps(func)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> T:
        if transaction.get_connection().in_atomic_block:
            return func(*args, **kwargs)
        for attempt in range(60):
            try:
                return func(*args, **kwargs)
            except OperationalError as exc:
                if "table is locked" not in str(exc) or attempt == 59:
                    raise
                time.sleep(min(0.01 * (attempt + 1), 0.2))
        raise AssertionError("unreachable")

    return wrapped


def kernel(check: Callable[[], T]) -> T:
    """Run a kernel rule and turn its refusal into a ServiceError with the same message."""
    try:
        return check()
    except ClinicalError as exc:
        raise ServiceError(str(exc)) from None


def when(at: datetime | None, clinic: Clinic) -> tuple[datetime, date, date]:
    """Return (at, its date, today) in the clinic's time zone; refuse a naive or future time."""
    current = now()
    at = at or current
    if at.tzinfo is None:
        raise ServiceError("The time needs a time zone.", {"at": "Naive time."})
    if at > current + CLOCK_SKEW:
        raise ServiceError("A ledger entry records what happened: it cannot be dated in the future.", {"at": "In the future."})
    zone = ZoneInfo(clinic.time_zone)
    return at, at.astimezone(zone).date(), current.astimezone(zone).date()


def local_date(value: datetime, clinic: Clinic) -> date:
    """The date of a stored time in the clinic's time zone."""
    return value.astimezone(ZoneInfo(clinic.time_zone)).date()


def same_clinic(clinic: Clinic, *objects: Any) -> None:
    """Refuse objects of another clinic (faces already 404 them; this guards direct callers)."""
    for obj in objects:
        if obj is not None and obj.clinic_id != clinic.pk:
            raise ServiceError(f"{obj._meta.verbose_name.capitalize()} is not of this clinic.")


def lock_lots(lots: Sequence[Lot]) -> dict[int, Lot]:
    """Lock the lots' rows, in id order, for the rest of the transaction (serialises stock moves)."""
    ids = sorted({lot.pk for lot in lots})
    locked = list(for_update(Lot.objects.filter(pk__in=ids)).order_by("pk"))
    return {lot.pk: lot for lot in Lot.objects.select_related("product").filter(pk__in=[x.pk for x in locked])}


def lot_info(lot: Lot) -> LotInfo:
    product = lot.product
    return kernel(lambda: LotInfo(strength_mg_per_ml=product.strength_mg_per_ml, expires_on=lot.expires_on,
                                  container_ml=product.container_ml))


def validate(entry: LedgerEntryIn, lot: Lot, places: Sequence[Location], today: date,
             taken_ml: Decimal = Decimal("0.00")) -> Movement:
    """Check an entry with the kernel against the current balances of its places."""
    balances = {(lot.lot_number, place.name): balance_ml(lot, place) for place in places}
    return kernel(lambda: validate_entry(entry, balances=balances, lot=lot_info(lot), today=today,
                                         drawn_from_container_ml=taken_ml))


def confirm_witnesses(*, clinic: Clinic, kind: EntryKind, by: User, witnesses: Sequence[tuple[Any, str]]) -> None:
    """Check the kernel's witness rules, then that each witness is authorised and types their own password now.

    Runs before the write's transaction, so a wrong password counts towards the witness's
    lockout (accounts.services.sign_in) and is audited even though nothing is recorded.
    """
    names = tuple(getattr(w, "username", "") for w, _ in witnesses)
    probe = LedgerEntryIn(kind=kind, lot="-", location="-", quantity=Decimal(1), actor_id=by.username,
                          occurred_on=now().date(), witness_ids=names)
    kernel(lambda: check_people(probe))
    for number, (user, password) in enumerate(witnesses, start=1):
        field = "witness" if number == 1 else "second_witness"
        if not has_perm(role_of(user, clinic), Perm.WITNESS_KETAMINE):
            raise ServiceError(f"{user.username} is not authorised to witness controlled-substance records in this clinic.",
                               {field: "Not an authorised witness."})
        try:
            accounts.sign_in(request=None, username=user.username, password=password or "")
        except ServiceError as exc:
            locked = isinstance(exc, accounts.AccountLocked)  # the sign-in answer itself never tells
            message = "is locked out after repeated failed passwords" if locked else "did not confirm: wrong password"
            raise ServiceError(f"Witness {user.username} {message}; nothing was recorded.",
                               {f"{field}_password": "Account locked." if locked else "Wrong password."}) from None


def write_entry(*, movement: Movement | None = None, by: User, patient: Any = None, **fields: Any) -> LedgerEntry:
    """Append one entry and its audit event (the caller holds the transaction and the lot lock)."""
    if movement is not None:
        fields.setdefault("quantity_ml", movement.quantity.ml)
        fields.setdefault("quantity_mg", movement.quantity.mg)
        if movement.deltas:
            fields.setdefault("balance_after_ml", movement.deltas[0].balance_after.ml)
            if len(movement.deltas) > 1:
                fields.setdefault("to_balance_after_ml", movement.deltas[1].balance_after.ml)
    if "balance_after_ml" not in fields:
        fields["balance_after_ml"] = balance_ml(fields["lot"], fields["location"])
    entry = LedgerEntry.objects.create(actor=by, **fields)
    audit.record(action=f"ledger_{entry.kind}", by=by, clinic=entry.clinic, patient=patient, obj=entry,
                 detail=audit_detail(entry))
    readmodel.record_entry(entry)
    return entry


def audit_detail(entry: LedgerEntry) -> dict[str, Any]:
    """What the audit chain keeps of an entry, so `ketacare ledger reconcile` can match the two."""
    return {
        "kind": entry.kind, "lot": entry.lot.lot_number, "location": entry.location.name,
        "to_location": entry.to_location.name if entry.to_location else None,
        "container": entry.container.code if entry.container else None,
        "quantity_ml": str(entry.quantity_ml), "quantity_mg": str(entry.quantity_mg),
        "balance_after_ml": str(entry.balance_after_ml),
        "to_balance_after_ml": None if entry.to_balance_after_ml is None else str(entry.to_balance_after_ml),
        "witnesses": [w.username for w in (entry.witness, entry.second_witness) if w is not None],
        "session": entry.session_id, "corrects": entry.corrects_id,
    }


def ledger_transaction(func: Callable[P, T]) -> Callable[P, T]:
    """Run a service in one transaction, retrying on SQLite's busy-table answer."""
    return retry_when_locked(transaction.atomic(func))
