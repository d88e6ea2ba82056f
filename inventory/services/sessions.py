"""What an infusion session takes from stock: the draw, the administration, the witnessed waste."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction

from accounts.models import User
from accounts.permissions import Perm
from accounts.queries import require
from clinical.errors import ClinicalError
from clinical.ledger import EntryKind as K
from clinical.ledger import LedgerEntryIn, Unit
from clinical.ledger.allocate import allocate_to_lots
from clinical.ledger.session_amounts import check_waste
from infusions.choices import NOT_HELD
from infusions.models import InfusionSession
from toolkit.errors import ServiceError

from ..choices import EntryKind
from ..models import Container, LedgerEntry, Lot
from ..queries import container_taken_ml, session_lots, session_totals
from .common import (
    confirm_witnesses,
    kernel,
    ledger_transaction,
    lock_lots,
    same_clinic,
    validate,
    when,
    write_entry,
)
from .containers import refresh_state


def _live(session: InfusionSession) -> None:
    if session.state in NOT_HELD:
        raise ServiceError(f"This session was {session.get_state_display().lower()}; nothing can be drawn or given for it.",
                           {"session": "Not held."})


@ledger_transaction
def draw_for_session(*, session: InfusionSession, container: Container, ml: Decimal, at: datetime | None = None,
                     note: str = "", by: User) -> LedgerEntry:
    """Draw mL from a container for an infusion session; refused past expiry or beyond the balance."""
    clinic = session.clinic
    require(Perm.HANDLE_KETAMINE, by, clinic, to="draw ketamine")
    same_clinic(clinic, container)
    _live(session)
    at, on, today = when(at, clinic)
    lot = lock_lots([container.lot])[container.lot_id]
    fresh = Container.objects.select_related("location").get(pk=container.pk)
    if fresh.state not in ("sealed", "open"):
        raise ServiceError(f"Vial {fresh.code} is {fresh.get_state_display().lower()}; choose another.",
                           {"container": "Not in stock."})
    entry_in = LedgerEntryIn(kind=K.DRAW, lot=lot.lot_number, location=fresh.location.name, quantity=ml,
                             actor_id=by.username, occurred_on=on, container_id=fresh.code,
                             session_ref=str(session.pk), patient_ref=session.patient.mrn)
    taken = container_taken_ml(fresh)
    movement = validate(entry_in, lot, [fresh.location], today, taken_ml=taken)
    planned = {"planned_total_mg": None if session.total_mg is None else str(session.total_mg)}
    entry = write_entry(movement=movement, by=by, patient=session.patient_id, clinic=clinic, kind=EntryKind.DRAW,
                        lot=lot, location=fresh.location, container=fresh, session=session, at=at,
                        note=note.strip(), detail=planned)
    refresh_state(fresh, taken_by_draws=taken + movement.quantity.ml)
    return entry


def record_administration(*, session: InfusionSession, mg: Decimal, by: User, at: datetime | None = None) -> list[LedgerEntry]:
    """Record the mg given to the session's patient, and by whom (21 CFR 1304.22(c)).

    Written by the infusions app when an infusion ends (`record_given`); from the ledger pages
    for a session that ended without one. Dated when the infusion ended, not when it is typed,
    unless `at` says otherwise. One administration per session: a wrong figure is corrected,
    not re-entered.
    """
    require(Perm.HANDLE_KETAMINE, by, session.clinic, to="record an administration")
    return _patient_side(session=session, kind=K.ADMINISTRATION, mg=mg, at=at or session.infusion_ended_at, by=by)


def record_given(*, session: InfusionSession, mg: Decimal, at: datetime, by: User) -> str:
    """Write the administration of what the infusion gave, dated when it was given; say what was written.

    Called by the infusions app inside its stop transaction (after the session row's lock, so the
    lot locks follow it: ADR 0010). The stop itself is never refused for the ledger's sake: when
    nothing was drawn, nothing was given or an administration already exists, nothing is written
    and the reason is returned, and reconciliation lists the session.
    """
    if mg <= 0:
        return "nothing given: no administration written"
    if not LedgerEntry.objects.filter(session=session, kind=EntryKind.DRAW).exists():
        return "nothing was drawn for this session: no administration written"
    try:
        with transaction.atomic():
            entries = _patient_side(session=session, kind=K.ADMINISTRATION, mg=mg, at=at, by=by)
    except ServiceError as exc:
        return f"no administration written: {exc.message}"
    return "administration " + ", ".join(f"entry {e.pk}" for e in entries)


def record_waste(*, session: InfusionSession, mg: Decimal, manner: str, witness: Any, witness_password: str,
                 at: datetime | None = None, note: str = "", by: User) -> list[LedgerEntry]:
    """Record what is left after an administration as wasted, confirmed by a witness's own password (79 FR 53519)."""
    require(Perm.HANDLE_KETAMINE, by, session.clinic, to="record waste")
    if not (manner or "").strip():
        raise ServiceError("Say how the leftover was wasted (the manner of disposal).", {"manner": "Required."})
    if witness is None:
        raise ServiceError("A second authorised person must witness the waste.", {"witness": "Required."})
    confirm_witnesses(clinic=session.clinic, kind=K.WASTE, by=by, witnesses=[(witness, witness_password)])
    return _patient_side(session=session, kind=K.WASTE, mg=mg, at=at, by=by, witness=witness,
                         method=manner.strip(), note=note.strip())


@ledger_transaction
def _patient_side(*, session: InfusionSession, kind: K, mg: Decimal, at: datetime | None, by: User,
                  **fields: Any) -> list[LedgerEntry]:
    """Write an administration or waste, charged to the session's lots first drawn first."""
    clinic = session.clinic
    _live(session)
    at, on, today = when(at, clinic)
    drawn_from = LedgerEntry.objects.filter(session=session, kind=EntryKind.DRAW).values_list("lot_id", flat=True)
    locked = lock_lots(list(Lot.objects.filter(pk__in=drawn_from)))
    if kind is K.ADMINISTRATION:
        _only_once(session)
    else:
        _within_leftover(session, mg)
    lots = session_lots(session)  # read under the lock
    shares = kernel(lambda: allocate_to_lots(mg, [(str(s.lot.pk), s.open_mg) for s in lots]))
    by_lot = {str(s.lot.pk): s for s in lots}
    witness = fields.get("witness")
    written = []
    for lot_key, share in shares:
        place = by_lot[lot_key]
        lot = locked[place.lot.pk]
        entry_in = LedgerEntryIn(kind=kind, lot=lot.lot_number, location=place.location.name, quantity=share,
                                 unit=Unit.MG, actor_id=by.username, occurred_on=on, session_ref=str(session.pk),
                                 patient_ref=session.patient.mrn,
                                 witness_ids=(witness.username,) if witness is not None else ())
        movement = validate(entry_in, lot, [place.location], today)
        written.append(write_entry(movement=movement, by=by, patient=session.patient_id, clinic=clinic,
                                   kind=EntryKind(kind.value), lot=lot, location=place.location, session=session,
                                   unit="mg", at=at, **fields))
    return written


def _within_leftover(session: InfusionSession, mg: Decimal) -> None:
    """Refuse a waste above drawn - administered - already wasted, with the figures (ADR 0015; read under the lot lock)."""
    totals = session_totals(session)
    try:
        check_waste(waste_mg=mg, drawn_mg=totals.drawn_mg, administered_mg=totals.administered_mg,
                    wasted_mg=totals.wasted_mg)
    except ClinicalError as exc:
        raise ServiceError(f"Refused: {exc}", {"mg": "More than is left of the session's draws."}) from None


def _only_once(session: InfusionSession) -> None:
    first = LedgerEntry.objects.filter(session=session, kind=EntryKind.ADMINISTRATION).order_by("pk").first()
    if first is not None:
        raise ServiceError(f"An administration is already recorded for this session (entry {first.pk}); "
                           "correct that entry if its amount is wrong.", {"mg": "Already recorded."})
