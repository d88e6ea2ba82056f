"""A container's state follows from the ledger entries on it; services call this after each one."""

from collections import defaultdict
from decimal import Decimal

from ..choices import ContainerState, EntryKind
from ..models import Container
from ..queries import TAKEN_KINDS, in_force, latest_corrections


def state_from(taken: dict[str, Decimal], container_ml: Decimal) -> str:
    """Sealed, open, empty, lost or destroyed, from the mL each kind took out of it."""
    if taken[EntryKind.DESTRUCTION] > 0:
        return ContainerState.DESTROYED
    remaining = container_ml - sum(taken.values(), Decimal(0))
    if remaining <= 0:
        return ContainerState.LOST if taken[EntryKind.LOSS_OR_THEFT] > 0 else ContainerState.EMPTY
    return ContainerState.OPEN if remaining < container_ml else ContainerState.SEALED


def refresh_state(container: Container, *, taken_by_draws: Decimal | None = None) -> str:
    """Store the state the container's entries give it (a voided container stays void).

    `taken_by_draws` is a shortcut for a container from which only draws have taken:
    the caller already knows the total.
    """
    fresh = Container.objects.select_related("lot__product").get(pk=container.pk)
    if fresh.state == ContainerState.VOID:
        return fresh.state
    taken: dict[str, Decimal] = defaultdict(Decimal)
    if taken_by_draws is not None and fresh.state in (ContainerState.SEALED, ContainerState.OPEN) and not \
            fresh.entries.filter(kind__in=(EntryKind.DESTRUCTION, EntryKind.LOSS_OR_THEFT)).exists():
        taken[EntryKind.DRAW] = taken_by_draws
    else:
        rows = list(fresh.entries.filter(kind__in=TAKEN_KINDS))
        fixes = latest_corrections(rows)
        for e in rows:
            taken[e.kind] += in_force(e, fixes)[0]
    state = state_from(taken, fresh.lot.product.container_ml)
    if state != fresh.state:
        Container.objects.filter(pk=fresh.pk).update(state=state)
    container.state = state
    return state
