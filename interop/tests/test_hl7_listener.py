"""The MLLP listener over a real TCP socket: ACK codes, idempotency, size limit, concurrency, and a crash."""

import threading

import pytest

from clinical.hl7.samples import SampleStyle
from infusions.tests.helpers import infusing, t0
from interop.choices import Hl7Status
from interop.hl7.listener import MllpListener
from interop.models import Hl7Message

from .mllp_helpers import Sender, device_rows, msa, oru

pytestmark = pytest.mark.usefixtures("transactional_db")


@pytest.fixture
def live(world):
    """An infusing session and a listener for its clinic on a free port."""
    session = infusing(world, t0(2))
    listener = MllpListener(clinic=world.a, host="127.0.0.1", port=0, max_bytes=64 * 1024).start()
    yield session, listener
    listener.stop(abort=True)


def test_valid_messages_in_each_vendor_style_file_readings_and_get_aa(live):
    session, listener = live
    sender = Sender(listener.address)
    for n, style in enumerate(SampleStyle):
        assert msa(sender.send(oru(session, f"V{n}", style, minutes_ago=n + 1))) == ("AA", f"V{n}")
    sender.close()
    assert device_rows(session).count() == len(SampleStyle)


def test_a_resend_gets_aa_without_duplicates(live):
    session, listener = live
    sender = Sender(listener.address)
    raw = oru(session, "R1")
    assert msa(sender.send(raw)) == ("AA", "R1")
    assert msa(sender.send(raw)) == ("AA", "R1")
    sender.close()
    assert device_rows(session).count() == 1 and Hl7Message.objects.count() == 1


def test_garbage_gets_ar_and_the_connection_stays_usable(live):
    session, listener = live
    sender = Sender(listener.address)
    assert msa(sender.send("this is not HL7"))[0] == "AR"
    assert msa(sender.send("MSH|^~\\&|A|B|C|D|20260101||ADT^A01|X9|P|2.6"))[0] == "AR"
    assert msa(sender.send(oru(session, "OK1"))) == ("AA", "OK1")
    sender.close()


def test_an_unknown_patient_gets_ae_and_lands_in_quarantine(live):
    session, listener = live
    sender = Sender(listener.address)
    assert msa(sender.send(oru(session, "U1", mrn="NOT-A-PATIENT"))) == ("AE", "U1")
    sender.close()
    held = Hl7Message.objects.get(control_id="U1")
    assert held.status == Hl7Status.QUARANTINED and "unknown patient" in held.error
    assert not device_rows(session).exists()


def test_a_message_over_the_size_limit_is_refused_and_the_connection_closed(live):
    session, listener = live
    sender = Sender(listener.address)
    big = oru(session, "BIG1") + "NTE|1||" + "x" * (70 * 1024) + "\r"
    ack = sender.send(big)
    assert msa(ack) == ("AR", "BIG1")
    with pytest.raises((ConnectionError, OSError)):
        sender.send(oru(session, "AFTER"))
    sender.close()
    assert not Hl7Message.objects.exists()


def test_many_monitors_are_served_at_once(live):
    session, listener = live
    results: dict[str, str] = {}

    def monitor(n: int) -> None:
        sender = Sender(listener.address)
        for i in range(5):
            control_id = f"M{n}-{i}"
            results[control_id] = msa(sender.send(oru(session, control_id, minutes_ago=1 + n * 5 + i)))[0]
        sender.close()

    threads = [threading.Thread(target=monitor, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert list(results.values()).count("AA") == 20
    assert device_rows(session).count() == 20


def test_killing_the_listener_while_messages_stream_loses_nothing_that_was_acked(live):
    session, listener = live
    acked: list[str] = []
    sent: list[str] = []
    kill_after = 15

    def stream() -> None:
        sender = Sender(listener.address)
        try:
            for i in range(200):
                control_id = f"S{i}"
                sent.append(control_id)
                code, echoed = msa(sender.send(oru(session, control_id, minutes_ago=1 + (i % 50))))
                if code == "AA":
                    acked.append(echoed)
                if len(acked) == kill_after:
                    killer.set()
        except (ConnectionError, OSError):
            return
        finally:
            sender.close()

    killer = threading.Event()
    thread = threading.Thread(target=stream)
    thread.start()
    assert killer.wait(timeout=30)
    listener.stop(abort=True)
    thread.join(timeout=30)
    stored = set(Hl7Message.objects.filter(status=Hl7Status.FILED).values_list("control_id", flat=True))
    assert len(acked) >= kill_after and len(sent) < 200
    assert set(acked) <= stored  # every ACKed message is committed
    assert len(stored) - len(acked) <= 1  # at most the one in flight was committed without its ACK
    assert device_rows(session).count() == len(stored)
