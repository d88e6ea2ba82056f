"""Group commit over real TCP sockets: many senders in one batch, ACK after commit, one failing message."""

import threading

import pytest
from django.db import connection

from clinical.hl7.samples import SampleStyle
from infusions.tests.helpers import infusing, t0
from interop.choices import Hl7Status
from interop.hl7.limits import Limits
from interop.hl7.listener import MllpListener
from interop.models import Hl7Message

from .mllp_helpers import Sender, device_rows, msa, oru

pytestmark = pytest.mark.usefixtures("transactional_db")
SENDERS = 4


def listen(world, **limits):
    values = {"batch_wait_ms": 300.0, "batch_max": 50, **limits}
    return MllpListener(clinic=world.a, host="127.0.0.1", port=0, limits=Limits(**values)).start()


def together(listener, jobs):
    """Open one connection per job first, then run every job at once; return each job's result."""
    senders = [Sender(listener.address) for _ in jobs]
    start, results = threading.Barrier(len(jobs)), [None] * len(jobs)

    def run(n):
        start.wait(timeout=10)
        results[n] = jobs[n](senders[n])

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    for s in senders:
        s.close()
    return results


@pytest.fixture
def session(world):
    return infusing(world, t0(2))


def test_messages_from_several_senders_are_committed_in_one_batch_and_each_acked(world, session):
    listener = listen(world)
    try:
        jobs = [lambda s, n=n: [msa(s.send(oru(session, f"G{n}-{i}", minutes_ago=1 + n * 10 + i))) for i in range(3)]
                for n in range(SENDERS)]
        results = together(listener, jobs)
    finally:
        listener.stop()
    answers = [a for per_sender in results for a in per_sender]
    assert sorted(answers) == sorted(("AA", f"G{n}-{i}") for n in range(SENDERS) for i in range(3))
    assert listener.stats()["largest_batch"] > 1  # they shared a transaction
    assert listener.stats()["batches"] < len(answers)
    assert device_rows(session).count() == len(answers) == Hl7Message.objects.filter(status=Hl7Status.FILED).count()


def test_the_same_message_from_two_connections_in_one_batch_is_stored_once(world, session):
    listener = listen(world)
    raw = oru(session, "TWICE")
    try:
        results = together(listener, [lambda s: msa(s.send(raw)), lambda s: msa(s.send(raw))])
    finally:
        listener.stop()
    assert results == [("AA", "TWICE"), ("AA", "TWICE")]
    assert Hl7Message.objects.count() == 1 and device_rows(session).count() == 1


@pytest.fixture
def refuse_bad_rows():
    """Make the database itself refuse a reading of control id BAD (as a constraint would)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("CREATE TRIGGER refuse_bad BEFORE INSERT ON infusions_vitalsign "
                           "WHEN NEW.message_control_id = 'BAD' BEGIN SELECT RAISE(ABORT, 'refused by test'); END")
        else:
            cursor.execute("CREATE FUNCTION refuse_bad() RETURNS trigger AS $$ BEGIN IF NEW.message_control_id = 'BAD' "
                           "THEN RAISE EXCEPTION 'refused by test' USING ERRCODE = '23514'; END IF; RETURN NEW; END $$ "
                           "LANGUAGE plpgsql")
            cursor.execute("CREATE TRIGGER refuse_bad BEFORE INSERT ON infusions_vitalsign "
                           "FOR EACH ROW EXECUTE FUNCTION refuse_bad()")
    yield
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER refuse_bad")
        else:
            cursor.execute("DROP TRIGGER refuse_bad ON infusions_vitalsign")
            cursor.execute("DROP FUNCTION refuse_bad()")


def test_a_message_the_database_refuses_gets_its_own_ae_and_the_rest_of_its_batch_commits(world, session,
                                                                                            refuse_bad_rows):
    listener = listen(world)
    ids = ["OK1", "BAD", "OK2", "OK3"]
    try:
        results = together(listener, [lambda s, c=c, n=n: msa(s.send(oru(session, c, minutes_ago=n + 1)))
                                      for n, c in enumerate(ids)])
    finally:
        listener.stop()
    assert dict((c, code) for code, c in results) == {"OK1": "AA", "BAD": "AE", "OK2": "AA", "OK3": "AA"}
    assert listener.stats()["largest_batch"] > 1  # BAD shared its batch with others
    assert set(Hl7Message.objects.values_list("control_id", flat=True)) == {"OK1", "OK2", "OK3"}
    assert set(device_rows(session).values_list("message_control_id", flat=True)) == {"OK1", "OK2", "OK3"}


def test_killing_the_listener_under_several_streams_loses_nothing_that_was_acked(world, session):
    listener = listen(world, batch_wait_ms=2.0)
    acked: list[str] = []
    killer = threading.Event()

    def stream(sender, n):
        try:
            for i in range(300):
                code, echoed = msa(sender.send(oru(session, f"K{n}-{i}", minutes_ago=1 + (i % 50))))
                if code == "AA":
                    acked.append(echoed)
                if len(acked) >= 40:
                    killer.set()
        except (ConnectionError, OSError):
            return

    senders = [Sender(listener.address) for _ in range(SENDERS)]
    threads = [threading.Thread(target=stream, args=(s, n)) for n, s in enumerate(senders)]
    for t in threads:
        t.start()
    assert killer.wait(timeout=60)
    listener.stop(abort=True)
    for t in threads:
        t.join(timeout=30)
    for s in senders:
        s.close()
    stored = set(Hl7Message.objects.filter(status=Hl7Status.FILED).values_list("control_id", flat=True))
    assert set(acked) <= stored  # every ACKed message is committed
    assert len(stored) - len(acked) <= SENDERS  # at most one in flight per sender committed without its ACK
    assert device_rows(session).count() == len(stored)


def test_the_filing_connection_syncs_every_commit_to_disk(world, session):
    listener = listen(world)
    try:
        sender = Sender(listener.address)
        assert msa(sender.send(oru(session, "D1")))[0] == "AA"
        sender.close()
    finally:
        listener.stop()
    assert listener.filer.durability == ("2" if connection.vendor == "sqlite" else "on")  # synchronous=FULL / on


def test_a_resend_of_a_held_message_files_once_the_session_is_found(world, session):
    listener = listen(world, batch_wait_ms=1.0)
    sender = Sender(listener.address)
    try:
        held = oru(session, "H1", style=SampleStyle.MDC_UCUM, mrn="NOBODY")
        assert msa(sender.send(held)) == ("AE", "H1")
        assert msa(sender.send(held)) == ("AE", "H1")
        assert Hl7Message.objects.get(control_id="H1").status == Hl7Status.QUARANTINED
        assert msa(sender.send(oru(session, "H2"))) == ("AA", "H2")
    finally:
        sender.close()
        listener.stop()
    assert Hl7Message.objects.count() == 2


def test_a_batch_raises_the_alerts_its_readings_fire_and_closes_an_overdue_one(world):
    from decimal import Decimal

    from alerts.choices import AlertKind
    from alerts.models import Alert
    from clinical.hl7.samples import SampleVitals
    from infusions import services as infusions

    session = infusing(world, t0(2))  # started 110 min ago with no reading: the blood pressure is overdue
    (overdue,) = infusions.raise_overdue_alerts(clinic=world.a)
    listener = listen(world)
    high = SampleVitals(systolic_mmhg=Decimal(186), diastolic_mmhg=Decimal(96))
    try:
        results = together(listener, [lambda s: msa(s.send(oru(session, "HI1", vitals=high))),
                                      lambda s: msa(s.send(oru(session, "HI2", vitals=high, minutes_ago=2)))])
    finally:
        listener.stop()
    assert sorted(results) == [("AA", "HI1"), ("AA", "HI2")]
    vital = Alert.objects.get(session=session, kind=AlertKind.VITAL)  # once, though two readings crossed it
    assert (vital.rule, vital.threshold, vital.level) == ("sbp_pause", "180", "pause")
    overdue.refresh_from_db()
    assert overdue.acknowledged_at is not None and "blood-pressure reading" in overdue.action_note
