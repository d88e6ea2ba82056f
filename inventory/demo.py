"""Demo ledger: a stocked safe, the history of every finished infusion, an initial inventory, one open discrepancy.

Products, supplier, locations, the receipts, the initial inventory and a transfer are written
when the app builds, before the infusions demo runs; that demo calls `ctx.before_start`, so each
session draws its dose before it starts (ADR 0015) and its stop writes the administration. An
`after` step then wastes each finished session's leftover before a witness (and, for sessions
the infusions demo did not run, writes the draw and administration itself). Everything goes through the ledger services; the supplier's DEA number is
synthetic (valid check digit, no real registrant).
"""

from datetime import datetime, timedelta
from decimal import ROUND_CEILING, Decimal
from typing import Any

from accounts.choices import Role
from accounts.demo import DemoContext
from clinical.dosing import DoseInputs, plan_dose
from clinical.errors import ClinicalError
from courses.defaults import snapshot_value
from courses.services import limits_of
from infusions.choices import IN_PROGRESS, SessionState

from . import services
from .choices import ContainerState
from .models import Container, Location, Lot, Product
from .queries import balances, container_remaining_ml, session_totals

D = Decimal
CENT = D("0.01")
WASTE_EVERY = 8
"""One session in eight draws a whole number of mL and wastes the rest before a witness."""


def build(ctx: DemoContext) -> None:
    officer = ctx.users[Role.INVENTORY_OFFICER]
    refs = {
        "p10": services.add_product(clinic=ctx.clinic, name="Ketamine hydrochloride injection", ndc="99999-0101-10",
                                    strength_mg_per_ml=D(10), container_ml=D(10), by=officer),
        "p50": services.add_product(clinic=ctx.clinic, name="Ketamine hydrochloride injection", ndc="99999-0105-10",
                                    strength_mg_per_ml=D(50), container_ml=D(10), by=officer),
        "supplier": services.add_supplier(clinic=ctx.clinic, name="Synthetic Pharma Supply (demo)",
                                          address="100 Example Parkway, Springfield, ST 00000",
                                          dea_number="AB1234563", by=officer),
        "safe": services.add_location(clinic=ctx.clinic, name="Main safe", by=officer),
        "cart": services.add_location(clinic=ctx.clinic, name="Procedure room cart", by=officer),
    }
    _stock(ctx, refs)
    vials = _VialQueue(refs["p10"])
    drawn: list[Any] = []

    def draw_before_start(session: Any, at: datetime) -> None:
        """The nurse draws the verified dose (a whole mL more, wasted later, one session in eight)."""
        vials.draw(ctx, session, _draw_ml(len(drawn), _dose(session)), at)
        drawn.append(session.pk)

    ctx.before_start.append(draw_before_start)
    ctx.after.append(lambda: _history(ctx, refs, vials))


def _stock(ctx: DemoContext, refs: dict[str, Any]) -> None:
    """Receive the lots (enough for every session booked up to now), take the initial inventory, stock the cart."""
    sessions = sorted((s for dp in ctx.patients for s in dp.sessions
                       if s.state != SessionState.CANCELLED and s.scheduled_start < ctx.now + timedelta(hours=1)),
                      key=lambda s: s.scheduled_start)
    needs = [_draw_ml(i, _dose(s)) for i, s in enumerate(sessions)]
    start = min([s.scheduled_start for s in sessions], default=ctx.now - timedelta(days=14)) - timedelta(days=5)
    half = len(sessions) // 2
    first = _receive(ctx, refs, refs["p10"], "KX24A01", start, _vials(sum(needs[:half], D(0))) + 1, ctx.now + timedelta(days=300))
    strong = _receive(ctx, refs, refs["p50"], "KX50B07", start, 5, ctx.now + timedelta(days=500))
    services.take_inventory(clinic=ctx.clinic, kind="initial", business_time="close", by=ctx.users[Role.INVENTORY_OFFICER],
                            at=start + timedelta(hours=2), lines=[_line(first), _line(strong)])
    services.transfer(containers=[Container.objects.filter(lot=strong).first()], to_location=refs["cart"],
                      at=start + timedelta(hours=3), by=ctx.users[Role.INVENTORY_OFFICER])
    # Both deliveries come before the first infusion: the infusions demo runs patient by patient, not in time order.
    _receive(ctx, refs, refs["p10"], "KX24A19", start + timedelta(days=1), _vials(sum(needs[half:], D(0))) + 6, ctx.now + timedelta(days=420))


def _history(ctx: DemoContext, refs: dict[str, Any], vials: "_VialQueue") -> None:
    """Close every finished session: a draw and an administration where the infusion left none, the leftover wasted."""
    ctx.progress("building the ledger history")
    finished, running = _sessions(ctx)
    for i, session in enumerate(finished):
        _infusion(ctx, vials, session, i)
    for session in running:
        if not session.ledger_entries.filter(kind="draw").exists():
            at = min(session.started_at or session.scheduled_start, ctx.now)
            vials.draw(ctx, session, (_dose(session) / 10).quantize(CENT, ROUND_CEILING), at)
    _counts(ctx, refs)


def _sessions(ctx: DemoContext) -> tuple[list[Any], list[Any]]:
    """Finished sessions (discharged or stopped; past ones when the infusions demo left none) and running ones."""
    sessions = [s for dp in ctx.patients for s in dp.sessions]
    for s in sessions:
        s.refresh_from_db()
    over = ctx.now - timedelta(hours=2)
    done = [s for s in sessions if s.state in (SessionState.DISCHARGED, SessionState.STOPPED_EARLY)]
    if not done:
        done = [s for s in sessions if s.state != SessionState.CANCELLED and s.scheduled_start < over]
    running = [s for s in sessions if s.state in IN_PROGRESS and s not in done]
    return sorted(done, key=lambda s: s.scheduled_start), running


def _dose(session: Any) -> Decimal:
    """The session's total mg, or the course's mg/kg times the patient's weight when it has none yet."""
    if session.total_mg:
        return D(session.total_mg)
    course = session.course
    weight = session.checkin_weight_kg or session.patient.weight_kg or D(70)
    try:
        plan = plan_dose(DoseInputs(mg_per_kg=D(course.mg_per_kg), actual_weight_kg=D(weight), vial_mg_per_ml=D(10)),
                         limits_of(course))
        return plan.total_mg
    except ClinicalError:
        return min(D(course.mg_per_kg) * D(weight), D(str(snapshot_value(course.protocol_snapshot, "max_total_mg")))).quantize(D("0.1"))


def _draw_ml(index: int, dose_mg: Decimal) -> Decimal:
    """mL drawn at 10 mg/mL: the exact volume, or the next whole mL for a session that wastes."""
    exact = (dose_mg / 10).quantize(CENT, ROUND_CEILING)
    if index % WASTE_EVERY:
        return exact
    return (exact + D("0.5")).to_integral_value(ROUND_CEILING).quantize(CENT)


def _vials(ml: Decimal) -> int:
    return int((ml / 10).to_integral_value(ROUND_CEILING))


def _receive(ctx: DemoContext, refs: dict[str, Any], product: Product, lot_number: str, at: datetime, vials: int,
             expires: datetime) -> Lot:
    entry = services.receive_stock(product=product, supplier=refs["supplier"], invoice=f"SPS-{lot_number[-3:]}-{at:%m%d}",
                                   lot_number=lot_number, expires_on=expires.date(), containers=max(vials, 1),
                                   location=refs["safe"], at=at, by=ctx.users[Role.INVENTORY_OFFICER])
    return entry.lot


def _line(lot: Lot) -> services.CountLine:
    location = Location.objects.get(clinic=lot.clinic, name="Main safe")
    return services.CountLine(lot=lot, location=location, sealed_containers=lot.containers.count())


class _VialQueue:
    """Vials of the 10 mg/mL product, soonest expiry first; each draw empties one before opening the next."""

    def __init__(self, product: Product) -> None:
        self.product = product

    def _current(self, at: datetime) -> Container | None:
        return (Container.objects.filter(lot__product=self.product, state__in=(ContainerState.OPEN, ContainerState.SEALED),
                                         location__name="Main safe", receipt__at__lte=at)
                .select_related("lot__product", "location").order_by("state", "lot__expires_on", "code").first())

    def draw(self, ctx: DemoContext, session: Any, ml: Decimal, at: datetime) -> None:
        need = ml
        while need > 0:
            vial = self._current(at)
            if vial is None:
                raise RuntimeError(f"demo ledger: no vial left for session {session.pk}")
            take = min(need, container_remaining_ml(vial))
            services.draw_for_session(session=session, container=vial, ml=take, at=at, by=ctx.users[Role.NURSE])
            need -= take


def _infusion(ctx: DemoContext, vials: "_VialQueue", session: Any, index: int) -> None:
    """Draw and give at the session's own times where the infusion left no record, then waste the leftover."""
    begins = session.started_at or session.scheduled_start
    ends = session.infusion_ended_at or begins + timedelta(minutes=40)
    dose = _dose(session)
    if not session.ledger_entries.filter(kind="draw").exists():
        vials.draw(ctx, session, _draw_ml(index, dose), begins - timedelta(minutes=10))
    if not session.ledger_entries.filter(kind="administration").exists():
        given = session.given_mg if session.given_mg is not None else (
            dose if session.state != SessionState.STOPPED_EARLY else (dose * D("0.6")).quantize(CENT))
        services.record_administration(session=session, mg=D(given).quantize(CENT), at=ends, by=ctx.users[Role.NURSE])
    left = session_totals(session)
    leftover = left.drawn_mg - left.administered_mg - left.wasted_mg
    if leftover > 0:
        witness = ctx.second_user(Role.NURSE)
        services.record_waste(session=session, mg=leftover, manner="Into the drug-waste container",
                              witness=witness, witness_password=ctx.passwords[witness.username], at=ends + timedelta(minutes=5),
                              by=ctx.users[Role.NURSE])


def _counts(ctx: DemoContext, refs: dict[str, Any]) -> None:
    """A count of the cart that agrees, and a count of the safe's opened vial 0.30 mL short: the open discrepancy."""
    nurse, at = ctx.users[Role.NURSE], ctx.now - timedelta(hours=1)
    for row in balances(ctx.clinic):
        if row.location == refs["cart"]:
            services.record_count(line=services.CountLine(row.lot, row.location, sealed_containers=row.sealed), at=at, by=nurse)
    rows = [r for r in balances(ctx.clinic) if r.location == refs["safe"] and r.lot.product == refs["p10"]]
    row = next((r for r in rows if r.opened), rows[-1] if rows else None)
    if row is None:
        return
    opened_ml = row.ml - row.sealed * row.lot.product.container_ml
    if row.opened and opened_ml >= D("0.30"):
        line = services.CountLine(row.lot, row.location, sealed_containers=row.sealed, opened_containers=row.opened,
                                  opened_ml=opened_ml - D("0.30"), estimated=True)
    else:
        line = services.CountLine(row.lot, row.location, sealed_containers=row.sealed - 1, opened_containers=row.opened,
                                  opened_ml=opened_ml, estimated=row.opened > 0)
    services.record_count(line=line, note="Opened vial read by eye.", at=at, by=nurse)
