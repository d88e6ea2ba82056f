"""Ledger API: the same services as the pages, with the same roles."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from accounts.access import ClinicRequest, api_allow
from accounts.guards import refuse_without_step_up
from accounts.pages import audit_read
from accounts.permissions import Perm
from infusions.models import InfusionSession
from toolkit.errors import ServiceError
from toolkit.scoping import get_in_clinic
from toolkit.vocab import literal_of

from . import queries, services
from .choices import BusinessTime, InventoryKind, LossCause
from .models import Container, Discrepancy, LedgerEntry, Location, Lot, Product, Supplier
from .reconciliation import as_json, reconcile

LossCauseValue = literal_of(LossCause)
InventoryKindValue = literal_of(InventoryKind)
BusinessTimeValue = literal_of(BusinessTime)

router = Router()
Amount = Field(..., max_digits=9, decimal_places=2)


def _clinic(request: ClinicRequest) -> Any:
    return request.clinic


def _get(model: Any, request: HttpRequest, pk: int) -> Any:
    return get_in_clinic(model, _clinic(request), pk=pk)


def _staff(request: HttpRequest, username: str, field: str) -> Any:
    user = queries.staff_member(_clinic(request), username)
    if user is None:
        raise ServiceError(f"No active staff member of this clinic is called {username!r}.", {field: "Unknown user."})
    return user


class EntryOut(Schema):
    id: int
    kind: str
    lot: str
    location: str
    to_location: str | None
    container: str | None
    unit: str
    quantity_ml: Decimal
    quantity_mg: Decimal
    balance_after_ml: Decimal
    to_balance_after_ml: Decimal | None
    actor: str
    witnesses: list[str]
    session_id: int | None
    corrects_id: int | None
    corrected_ml: Decimal | None
    corrected_mg: Decimal | None
    method: str
    place: str
    report_ref: str
    reason: str
    note: str
    at: datetime

    @staticmethod
    def resolve_lot(e: LedgerEntry) -> str:
        return e.lot.lot_number

    @staticmethod
    def resolve_location(e: LedgerEntry) -> str:
        return e.location.name

    @staticmethod
    def resolve_to_location(e: LedgerEntry) -> str | None:
        return e.to_location.name if e.to_location else None

    @staticmethod
    def resolve_container(e: LedgerEntry) -> str | None:
        return e.container.code if e.container else None

    @staticmethod
    def resolve_actor(e: LedgerEntry) -> str:
        return e.actor.username

    @staticmethod
    def resolve_witnesses(e: LedgerEntry) -> list[str]:
        return [w.username for w in (e.witness, e.second_witness) if w is not None]


class ReceiptIn(Schema):
    product_id: int
    supplier_id: int
    location_id: int
    lot_number: str = Field(min_length=1, max_length=40)
    expires_on: date
    containers: int = Field(ge=1, le=1000)
    invoice: str = Field(min_length=1, max_length=60)
    note: str = Field("", max_length=2000)
    expired_reason: str = Field("", max_length=2000)  # needed only for a lot already expired
    at: datetime | None = None


class DrawIn(Schema):
    session_id: int
    container_id: int
    ml: Decimal = Amount
    note: str = Field("", max_length=2000)
    at: datetime | None = None


class AdministrationIn(Schema):
    session_id: int
    mg: Decimal = Amount
    at: datetime | None = None


class WitnessIn(Schema):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=200)


class WasteIn(Schema):
    session_id: int
    mg: Decimal = Amount
    manner: str = Field(min_length=1, max_length=200)
    witness: WitnessIn
    note: str = Field("", max_length=2000)
    at: datetime | None = None


class DestructionIn(Schema):
    container_ids: list[int] = Field(min_length=1, max_length=500)
    method: str = Field(min_length=1, max_length=200)
    place: str = Field(min_length=1, max_length=200)
    witnesses: list[WitnessIn] = Field(max_length=2)
    reason: str = Field("", max_length=500)
    report_ref: str = Field("", max_length=60)
    at: datetime | None = None


class LossIn(Schema):
    container_id: int
    cause: LossCauseValue = LossCause.LOSS.value
    ml: Decimal | None = Field(None, max_digits=9, decimal_places=2)
    report_ref: str = Field(min_length=1, max_length=60)
    note: str = Field("", max_length=2000)
    at: datetime | None = None


class TransferIn(Schema):
    container_ids: list[int] = Field(min_length=1, max_length=500)
    to_location_id: int
    note: str = Field("", max_length=2000)
    at: datetime | None = None


class InventoryLineIn(Schema):
    lot_id: int
    location_id: int
    sealed_containers: int = Field(ge=0, le=10000)
    opened_containers: int = Field(0, ge=0, le=10000)
    opened_ml: Decimal = Field(Decimal(0), max_digits=9, decimal_places=2)
    estimated: bool = False


class CountIn(InventoryLineIn):
    """One count of a lot at a location: an inventory line with its note and time."""

    note: str = Field("", max_length=2000)
    at: datetime | None = None


class CountOut(Schema):
    id: int
    entry_id: int
    expected_ml: Decimal
    counted_ml: Decimal
    discrepancy_id: int | None
    difference_ml: Decimal | None


class ResolveIn(Schema):
    explanation: str = Field(min_length=1, max_length=4000)
    accounted_by_id: int | None = None


class CorrectionIn(Schema):
    corrected: Decimal = Field(..., max_digits=9, decimal_places=2)
    reason: str = Field(min_length=1, max_length=2000)
    at: datetime | None = None


class InventoryIn(Schema):
    kind: InventoryKindValue
    business_time: BusinessTimeValue
    lines: list[InventoryLineIn] = Field(max_length=1000)
    note: str = Field("", max_length=2000)
    at: datetime | None = None


def _count_out(count: Any) -> dict[str, Any]:
    found = getattr(count, "discrepancy", None)
    return {"id": count.pk, "entry_id": count.entry_id, "expected_ml": count.expected_ml, "counted_ml": count.counted_ml,
            "discrepancy_id": found.pk if found else None, "difference_ml": found.difference_ml if found else None}


@router.get("/balances", response=list[dict[str, Any]])
@api_allow(Perm.VIEW_LEDGER)
def balances(request: HttpRequest) -> list[dict[str, Any]]:
    return as_json(_clinic(request), reconcile(_clinic(request), check_integrity=False))["balances"]


@router.get("/reconciliation", response=dict[str, Any])
@api_allow(Perm.VIEW_LEDGER)
def reconciliation(request: HttpRequest) -> dict[str, Any]:
    audit_read(request, "ledger_report_view", report="reconciliation", via="api")
    return as_json(_clinic(request), reconcile(_clinic(request)))


@router.get("/lots/{lot_id}/entries", response=list[EntryOut])
@api_allow(Perm.VIEW_LEDGER)
def lot_entries(request: HttpRequest, lot_id: int) -> list[LedgerEntry]:
    lot = _get(Lot, request, lot_id)
    audit_read(request, "ledger_lot_view", obj=lot, via="api")
    return list(queries.entries(_clinic(request)).filter(lot=lot))


@router.get("/entries/{entry_id}", response=EntryOut)
@api_allow(Perm.VIEW_LEDGER)
def entry(request: HttpRequest, entry_id: int) -> LedgerEntry:
    found = _get(LedgerEntry, request, entry_id)
    if found.session_id:
        audit_read(request, "ledger_entry_view", patient=found.session.patient_id, obj=found, via="api")
    return found


@router.post("/receipts", response={201: EntryOut})
@api_allow(Perm.KEEP_LEDGER)
def receive(request: HttpRequest, body: ReceiptIn) -> tuple[int, LedgerEntry]:
    return 201, services.receive_stock(
        product=_get(Product, request, body.product_id), supplier=_get(Supplier, request, body.supplier_id),
        location=_get(Location, request, body.location_id), lot_number=body.lot_number, expires_on=body.expires_on,
        containers=body.containers, invoice=body.invoice, note=body.note, expired_reason=body.expired_reason, at=body.at,
        by=request.user)


@router.post("/draws", response={201: EntryOut})
@api_allow(Perm.HANDLE_KETAMINE)
def draw(request: HttpRequest, body: DrawIn) -> tuple[int, LedgerEntry]:
    return 201, services.draw_for_session(
        session=_get(InfusionSession, request, body.session_id), container=_get(Container, request, body.container_id),
        ml=body.ml, note=body.note, at=body.at, by=request.user)


@router.post("/administrations", response={201: list[EntryOut]})
@api_allow(Perm.HANDLE_KETAMINE)
def administer(request: HttpRequest, body: AdministrationIn) -> tuple[int, list[LedgerEntry]]:
    return 201, services.record_administration(session=_get(InfusionSession, request, body.session_id), mg=body.mg,
                                               at=body.at, by=request.user)


@router.post("/wastes", response={201: list[EntryOut]})
@api_allow(Perm.HANDLE_KETAMINE)
def waste(request: HttpRequest, body: WasteIn) -> tuple[int, list[LedgerEntry]]:
    witness = _staff(request, body.witness.username, "witness")
    return 201, services.record_waste(session=_get(InfusionSession, request, body.session_id), mg=body.mg,
                                      manner=body.manner, witness=witness, witness_password=body.witness.password,
                                      note=body.note, at=body.at, by=request.user)


@router.post("/destructions", response={201: list[EntryOut]})
@api_allow(Perm.KEEP_LEDGER)
def destroy(request: HttpRequest, body: DestructionIn) -> tuple[int, list[LedgerEntry]]:
    refuse_without_step_up(request)  # a browser session proves itself again (accounts/guards.py); a token is a machine's
    witnesses = [(_staff(request, w.username, "witnesses"), w.password) for w in body.witnesses]
    return 201, services.destroy_stock(
        containers=[_get(Container, request, pk) for pk in body.container_ids], method=body.method, place=body.place,
        witnesses=witnesses, reason=body.reason, report_ref=body.report_ref, at=body.at, by=request.user)


@router.post("/losses", response={201: EntryOut})
@api_allow(Perm.KEEP_LEDGER)
def loss(request: HttpRequest, body: LossIn) -> tuple[int, LedgerEntry]:
    return 201, services.record_loss(container=_get(Container, request, body.container_id), cause=body.cause, ml=body.ml,
                                     report_ref=body.report_ref, note=body.note, at=body.at, by=request.user)


@router.post("/transfers", response={201: list[EntryOut]})
@api_allow(Perm.KEEP_LEDGER)
def transfer(request: HttpRequest, body: TransferIn) -> tuple[int, list[LedgerEntry]]:
    return 201, services.transfer(containers=[_get(Container, request, pk) for pk in body.container_ids],
                                  to_location=_get(Location, request, body.to_location_id), note=body.note, at=body.at,
                                  by=request.user)


@router.post("/counts", response={201: CountOut})
@api_allow(Perm.HANDLE_KETAMINE)
def count(request: HttpRequest, body: CountIn) -> tuple[int, dict[str, Any]]:
    line = services.CountLine(lot=_get(Lot, request, body.lot_id), location=_get(Location, request, body.location_id),
                              sealed_containers=body.sealed_containers, opened_containers=body.opened_containers,
                              opened_ml=body.opened_ml, estimated=body.estimated)
    return 201, _count_out(services.record_count(line=line, note=body.note, at=body.at, by=request.user))


@router.get("/discrepancies", response=list[dict[str, Any]])
@api_allow(Perm.VIEW_LEDGER)
def discrepancies(request: HttpRequest, open_only: bool = True) -> list[dict[str, Any]]:
    rows = Discrepancy.objects.in_clinic(_clinic(request)).select_related("lot", "location")
    if open_only:
        rows = rows.filter(resolution__isnull=True)
    return [{"id": d.pk, "lot": d.lot.lot_number, "location": d.location.name, "difference_ml": str(d.difference_ml),
             "difference_mg": str(d.difference_mg), "open": d.is_open, "count_entry_id": d.count.entry_id} for d in rows]


@router.post("/discrepancies/{discrepancy_id}/resolve", response={201: dict[str, Any]})
@api_allow(Perm.KEEP_LEDGER)
def resolve(request: HttpRequest, discrepancy_id: int, body: ResolveIn) -> tuple[int, dict[str, Any]]:
    accounted = _get(LedgerEntry, request, body.accounted_by_id) if body.accounted_by_id else None
    done = services.resolve_discrepancy(discrepancy=_get(Discrepancy, request, discrepancy_id), explanation=body.explanation,
                                        accounted_by=accounted, by=request.user)
    return 201, {"id": done.pk, "discrepancy_id": discrepancy_id, "resolved_at": done.resolved_at.isoformat()}


@router.post("/entries/{entry_id}/corrections", response={201: EntryOut})
@api_allow(Perm.KEEP_LEDGER)
def correct(request: HttpRequest, entry_id: int, body: CorrectionIn) -> tuple[int, LedgerEntry]:
    return 201, services.correct_entry(entry=_get(LedgerEntry, request, entry_id), corrected=body.corrected,
                                       reason=body.reason, at=body.at, by=request.user)


@router.post("/inventories", response={201: dict[str, Any]})
@api_allow(Perm.KEEP_LEDGER)
def take_inventory(request: HttpRequest, body: InventoryIn) -> tuple[int, dict[str, Any]]:
    lines = [services.CountLine(lot=_get(Lot, request, li.lot_id), location=_get(Location, request, li.location_id),
                                sealed_containers=li.sealed_containers, opened_containers=li.opened_containers,
                                opened_ml=li.opened_ml, estimated=li.estimated) for li in body.lines]
    done = services.take_inventory(clinic=_clinic(request), kind=body.kind, business_time=body.business_time, lines=lines,
                                   note=body.note, at=body.at, by=request.user)
    return 201, {"id": done.pk, "kind": done.kind, "taken_at": done.taken_at.isoformat(),
                 "counts": [_count_out(c) for c in done.counts.all()]}
