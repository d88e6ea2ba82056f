"""The listener's limits over real sockets: connections, idle time, rate per connection; the token bucket."""

import socket

import pytest

from clinical.hl7 import frame
from infusions.tests.helpers import infusing, t0
from interop.hl7.limits import Limits, TokenBucket
from interop.hl7.listener import MllpListener

from .mllp_helpers import Sender, device_rows, msa, oru

pytestmark = pytest.mark.usefixtures("transactional_db")


def closed_by_listener(sock: socket.socket) -> bool:
    """True when the listener ends the connection (EOF or reset) before the 10 s socket timeout."""
    try:
        return sock.recv(1024) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


def test_a_connection_over_the_limit_is_closed_and_the_others_are_served(world):
    session = infusing(world, t0(2))
    listener = MllpListener(clinic=world.a, port=0, limits=Limits(max_connections=2)).start()
    try:
        first, second = Sender(listener.address), Sender(listener.address)
        assert msa(first.send(oru(session, "L1"))) == ("AA", "L1")
        extra = socket.create_connection(listener.address, timeout=10)
        assert closed_by_listener(extra)
        assert msa(second.send(oru(session, "L2", minutes_ago=2))) == ("AA", "L2")
        for s in (first, second):
            s.close()
        extra.close()
    finally:
        listener.stop()


def test_an_idle_connection_is_closed(world):
    listener = MllpListener(clinic=world.a, port=0, limits=Limits(idle_timeout_s=0.2)).start()
    try:
        idle = socket.create_connection(listener.address, timeout=10)
        assert closed_by_listener(idle)
        idle.close()
    finally:
        listener.stop()


def test_a_connection_over_its_rate_is_slowed_not_refused(world):
    session = infusing(world, t0(2))
    listener = MllpListener(clinic=world.a, port=0, limits=Limits(rate_per_s=20)).start()
    sender = Sender(listener.address)
    try:
        burst = b"".join(frame(oru(session, f"R{i}", minutes_ago=1 + i)) for i in range(30))  # over the 20-message burst
        sender.sock.sendall(burst)
        answers = [msa(sender.receive()) for _ in range(30)]
    finally:
        sender.close()
        listener.stop()
    assert answers == [("AA", f"R{i}") for i in range(30)]  # every one answered, in order
    assert device_rows(session).count() == 30


def test_the_token_bucket_allows_a_burst_then_the_rate():
    bucket = TokenBucket(rate=10, burst=3)
    assert [bucket.take(0.0) for _ in range(4)] == [True, True, True, False]
    assert bucket.wait_s(0.0) == pytest.approx(0.1)
    assert not bucket.take(0.05)
    assert bucket.take(0.1)
    assert [bucket.take(10.0) for _ in range(4)] == [True, True, True, False]  # never more than the burst


def test_limits_must_be_positive(settings):
    settings.KETACARE_HL7_MAX_CONNECTIONS = 0
    with pytest.raises(ValueError):
        Limits.from_settings()
    settings.KETACARE_HL7_MAX_CONNECTIONS = 5
    assert Limits.from_settings(rate_per_s=7).rate_per_s == 7 and Limits.from_settings().max_connections == 5
