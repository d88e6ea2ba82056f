"""Two people drawing the last millilitres at the same moment: one succeeds, the other is refused.

Real threads, each with its own database connection, on whichever database the suite runs
(SQLite or PostgreSQL). The service is slowed between its read of the vial and its write,
so without the lot lock both draws would pass the check.
"""

import threading
from decimal import Decimal

import pytest
from django.db import connections

from inventory import services
from inventory.models import LedgerEntry
from inventory.queries import balance_ml
from inventory.services import sessions as session_services
from toolkit.errors import ServiceError

pytestmark = pytest.mark.django_db(transaction=True)
D = Decimal


def run_together(*jobs):
    """Run callables in threads released together; return what each returned or the error it raised."""
    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def work(i, job):
        try:
            barrier.wait(timeout=10)
            results[i] = job()
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread met
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    return results


@pytest.fixture
def slow_read(monkeypatch):
    """Widen the window between reading what a vial holds and writing the draw."""
    import time

    real = session_services.container_taken_ml

    def slow(container):
        taken = real(container)
        time.sleep(0.3)
        return taken

    monkeypatch.setattr(session_services, "container_taken_ml", slow)


def test_two_nurses_drawing_the_last_millilitres_at_once_one_is_refused(world, stock, session, people, slow_read):
    vial = stock.vials[0]
    services.draw_for_session(session=session, container=vial, ml=D(4), by=people.nurse)

    results = run_together(
        lambda: services.draw_for_session(session=session, container=vial, ml=D(5), by=people.nurse),
        lambda: services.draw_for_session(session=session, container=vial, ml=D(5), by=people.witness),
    )

    done = [r for r in results if isinstance(r, LedgerEntry)]
    refused = [r for r in results if isinstance(r, ServiceError)]
    assert len(done) == 1 and len(refused) == 1, results
    assert "holds 1.00 mL of its 10.00 mL; a draw of 5.00 mL is more than it holds" in str(refused[0])
    assert LedgerEntry.objects.filter(container=vial, kind="draw").count() == 2
    assert balance_ml(stock.lot, stock.safe) == D("41.00")


def test_two_administrations_for_one_session_at_once_only_one_is_recorded(world, stock, session, people):
    services.draw_for_session(session=session, container=stock.vials[0], ml=D(4), by=people.nurse)

    results = run_together(
        lambda: services.record_administration(session=session, mg=D(35), by=people.nurse),
        lambda: services.record_administration(session=session, mg=D(35), by=people.witness),
    )

    refused = [r for r in results if isinstance(r, ServiceError)]
    assert len(refused) == 1 and "already recorded" in str(refused[0]), results
    assert LedgerEntry.objects.filter(session=session, kind="administration").count() == 1
