"""Property: for any sequence of ledger actions, the stored balances equal the kernel's replay of the stored
entries and the reference sum (receipts - draws - destructions - losses +/- transfers), and never go negative."""

from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinical.ledger import EntryKind, LedgerEntryIn, LotInfo, Unit, replay
from inventory import services
from inventory.models import Container, LedgerEntry
from inventory.queries import balances, container_remaining_ml
from inventory.services import CountLine
from ketacare.testing import PASSWORD
from toolkit.errors import ServiceError

pytestmark = pytest.mark.django_db
D = Decimal

amounts = st.decimals(min_value=D("0.01"), max_value=D("12"), places=2)
actions = st.lists(st.one_of(
    st.tuples(st.just("draw"), st.integers(0, 4), amounts),
    st.tuples(st.just("loss"), st.integers(0, 4), st.one_of(st.none(), amounts)),
    st.tuples(st.just("transfer"), st.integers(0, 4), st.none()),
    st.tuples(st.just("destroy"), st.integers(0, 4), st.none()),
    st.tuples(st.just("count"), st.integers(0, 6), st.none()),
), min_size=1, max_size=12)


def as_kernel(e: LedgerEntry) -> LedgerEntryIn:
    """A stored entry in the kernel's terms (no corrections in this test)."""
    kind = EntryKind(e.kind)
    return LedgerEntryIn(
        kind=kind, lot=e.lot.lot_number, location=e.location.name,
        quantity=e.quantity_mg if e.unit == "mg" else e.quantity_ml, unit=Unit.MG if e.unit == "mg" else Unit.ML,
        actor_id=e.actor.username, occurred_on=e.at.date(),
        witness_ids=tuple(w.username for w in (e.witness, e.second_witness) if w),
        container_id=e.container.code if e.container else None, containers=e.containers_count,
        session_ref=str(e.session_id) if e.session_id else None, to_location=e.to_location.name if e.to_location else None,
        supplier_ref=str(e.supplier) if e.supplier else None, report_ref=e.report_ref or None, method=e.method or None,
        place=e.place or None, estimated=bool(e.detail.get("estimated")) if kind is EntryKind.COUNT else False)


def act(stock, session, people, action):
    name, index, amount = action
    vial = stock.vials[index % len(stock.vials)]
    if name == "draw":
        services.draw_for_session(session=session, container=vial, ml=amount, by=people.nurse)
    elif name == "loss":
        services.record_loss(container=vial, report_ref="DEA-106-1", ml=amount, by=people.officer)
    elif name == "transfer":
        target = stock.cart if Container.objects.get(pk=vial.pk).location == stock.safe else stock.safe
        services.transfer(containers=[vial], to_location=target, by=people.officer)
    elif name == "destroy":
        services.destroy_stock(containers=[vial], method="kit", place="clinic", by=people.officer,
                               witnesses=[(people.nurse, PASSWORD), (people.witness, PASSWORD)])
    else:
        services.record_count(line=CountLine(stock.lot, stock.safe, sealed_containers=index), by=people.nurse)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=actions)
def test_balances_equal_the_kernel_replay_and_the_reference_sum(stock, session, people, steps):
    with transaction.atomic():
        for step in steps:
            try:
                act(stock, session, people, step)
            except ServiceError:
                pass
        rows = list(LedgerEntry.objects.filter(clinic=stock.clinic).select_related(
            "lot", "location", "to_location", "container", "actor", "witness", "second_witness", "supplier").order_by("pk"))
        stored = {(b.lot.lot_number, b.location.name): b.ml for b in balances(stock.clinic, include_empty=True)}
        lot = LotInfo(strength_mg_per_ml=D(10), expires_on=stock.lot.expires_on, container_ml=D(10))
        assert replay([as_kernel(e) for e in rows], {"L1": lot}) == stored
        reference: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
        for e in rows:
            here = (e.lot.lot_number, e.location.name)
            sign = {"receipt": 1, "draw": -1, "destruction": -1, "loss_or_theft": -1, "transfer": -1}.get(e.kind, 0)
            reference[here] += sign * e.quantity_ml
            if e.to_location:
                reference[(e.lot.lot_number, e.to_location.name)] += e.quantity_ml
        assert {k: v for k, v in reference.items() if v or k in stored} == stored
        assert all(ml >= 0 for ml in stored.values())
        assert all(container_remaining_ml(c) >= 0 for c in Container.objects.filter(lot=stock.lot).select_related("lot__product"))
        transaction.set_rollback(True)
