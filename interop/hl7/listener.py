"""The MLLP listener for bedside monitors: asyncio framing, group commit, each ACK after its batch committed.

One event loop (its own thread) serves every connection: it frames and queues each message for
the filing thread (`filer.Filer`), which parses it (the kernel's fast path), refuses garbage (AR)
and files the messages that arrived together in one transaction. Each ACK is written only
once the batch holding its message has committed; a batch that could not be committed gets no
ACK, and the connection is closed so the sender resends. Limits: connections, idle time,
messages a second per connection, message size (`limits.Limits`). Logs carry the control id,
sender and ACK code, never patient data (docs/adr/0004, 0005, 0011).
"""

import asyncio
import logging
import socket
import ssl
import threading
import uuid
from collections import deque
from datetime import UTC, datetime
from typing import Any

from clinical.hl7 import (
    Hl7ContentError,
    Hl7KeyTooLong,
    Hl7Reject,
    MessageTooLarge,
    MllpDecoder,
    build_ack,
    build_error_ack,
    frame,
    parse_oru,
    read_header,
)

from ..policy import hl7_max_bytes, hl7_options, hl7_time_zone
from .batch import Incoming, NoAck
from .filer import Filer, Result
from .limits import Limits, TokenBucket
from .services import Filing, NotFiled

log = logging.getLogger("ketacare.hl7")
NO_ACK = b""


def _ack_id() -> str:
    return f"KC{uuid.uuid4().hex[:18]}"


class _Slot:
    """One message of a connection, in arrival order, until its ACK is written."""

    __slots__ = ("ack",)

    def __init__(self) -> None:
        self.ack: bytes | None = None


class _Connection(asyncio.Protocol):
    """One monitor or interface-engine connection."""

    def __init__(self, listener: "MllpListener") -> None:
        self.listener, self.limits = listener, listener.limits
        self.transport: asyncio.Transport | None = None
        self.decoder = MllpDecoder(listener.max_bytes)
        self.inbox: deque[bytes] = deque()
        self.slots: deque[_Slot] = deque()
        self.bucket = TokenBucket(rate=self.limits.rate_per_s, burst=max(1.0, self.limits.rate_per_s))
        self.last_at = 0.0
        self.last_words: bytes | None = None  # the AR to send before closing (a frame over the size limit)
        self.paused = self.closed = False
        self.peer = ""  # the sender's IP address (registrations may name the addresses a sender uses)
        self._pump_handle: asyncio.TimerHandle | None = None
        self._idle_handle: asyncio.TimerHandle | None = None

    # -- asyncio callbacks
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        if len(self.listener.connections) >= self.limits.max_connections or self.listener.stopping:
            log.warning("hl7 connection refused: %s connections open (the limit)", len(self.listener.connections))
            self.closed = True
            transport.abort()  # type: ignore[attr-defined]
            return
        self.listener.connections.add(self)
        peername = transport.get_extra_info("peername")
        self.peer = str(peername[0]) if peername else ""
        self.last_at = self.listener.loop.time()
        self._idle_handle = self.listener.loop.call_later(self.limits.idle_timeout_s, self._check_idle)

    def data_received(self, data: bytes) -> None:
        if self.closed or self.last_words is not None:
            return
        self.last_at = self.listener.loop.time()
        try:
            frames, oversize = self.decoder.feed(data), None
        except MessageTooLarge as exc:
            frames, oversize = list(exc.complete), exc
        self.inbox.extend(frames)
        if oversize is not None:
            self.last_words = self.listener.refuse(oversize)
            self._pause()
        self._pump()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.listener.connections.discard(self)
        for handle in (self._pump_handle, self._idle_handle):
            if handle is not None:
                handle.cancel()

    # -- flow
    def _pump(self) -> None:
        """Start the messages the rate allows; hold the rest (and stop reading) until tokens come back."""
        self._pump_handle = None
        if self.closed:
            return
        now = self.listener.loop.time()
        while self.inbox and self.bucket.take(now):
            self._start(self.inbox.popleft())
        if self.inbox:
            self._pause()
            self._pump_handle = self.listener.loop.call_later(self.bucket.wait_s(now), self._pump)
        elif self.last_words is None and not self.listener.stopping:
            self._resume()
        self._flush()

    def _start(self, raw: bytes) -> None:
        slot = _Slot()
        self.slots.append(slot)
        self.listener.filer.submit(raw, (self, slot), self.peer)

    def resolved(self, slot: _Slot, ack: bytes) -> None:
        slot.ack = ack
        self._flush()

    def _flush(self) -> None:
        """Write the ACKs that are ready, in message order; close when asked to and nothing is left."""
        transport = self.transport
        if self.closed or transport is None:
            return
        while self.slots and self.slots[0].ack is not None:
            ack = self.slots.popleft().ack
            if ack == NO_ACK:
                self.closed = True
                transport.abort()
                return
            transport.write(ack)
        if self.slots or self.inbox:
            return
        if self.last_words is not None:
            transport.write(self.last_words)
            self.close()
        elif self.listener.stopping:
            self.close()

    def busy(self) -> bool:
        return bool(self.slots or self.inbox)

    def _pause(self) -> None:
        if not self.paused and self.transport is not None:
            self.paused = True
            self.transport.pause_reading()

    def _resume(self) -> None:
        if self.paused and self.transport is not None:
            self.paused = False
            self.transport.resume_reading()

    def _check_idle(self) -> None:
        if self.closed:
            return
        idle_s = self.listener.loop.time() - self.last_at
        if idle_s >= self.limits.idle_timeout_s and not self.busy():
            log.info("hl7 connection idle for %.0f s: closed", idle_s)
            self.close()
            return
        self._idle_handle = self.listener.loop.call_later(max(0.05, self.limits.idle_timeout_s - idle_s), self._check_idle)

    def close(self) -> None:
        if not self.closed and self.transport is not None:
            self.closed = True
            self.transport.close()

    def abort(self) -> None:
        if self.transport is not None:
            self.closed = True
            self.transport.abort()


class MllpListener:
    """Serve one clinic's monitors on host:port (port 0 picks a free port)."""

    def __init__(self, *, clinic: Any, host: str = "127.0.0.1", port: int = 2575, max_bytes: int | None = None,
                 limits: Limits | None = None, tls: ssl.SSLContext | None = None) -> None:
        self.clinic, self.tls = clinic, tls
        self.limits = limits or Limits.from_settings()
        self.max_bytes = max_bytes or hl7_max_bytes(clinic)
        self.time_zone, self.options = hl7_time_zone(clinic), hl7_options(clinic)
        self.sock = socket.create_server((host, port), reuse_port=False)
        self.sock.setblocking(False)
        self.loop = asyncio.new_event_loop()
        self.connections: set[_Connection] = set()
        self.stopping = False
        self.filer = Filer(clinic=clinic, limits=self.limits, prepare=self.prepare, answer=self.ack_for,
                           deliver=self._deliver_threadsafe, open_connections=lambda: len(self.connections))
        self._server: asyncio.AbstractServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> tuple[str, int]:
        host, port = self.sock.getsockname()[:2]
        return str(host), int(port)

    # -- lifecycle
    def start(self) -> "MllpListener":
        """Serve in background threads (the event loop and the filer); returns once accepting."""
        self.filer.start()
        ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(ready,), name="hl7-listener", daemon=True)
        self._thread.start()
        ready.wait(timeout=10)
        log.info("hl7 listener for clinic %s on %s:%s%s", self.clinic.slug, *self.address, " (TLS)" if self.tls else "")
        return self

    def _serve(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)
        self._server = self.loop.run_until_complete(
            self.loop.create_server(lambda: _Connection(self), sock=self.sock, backlog=512, ssl=self.tls,
                                    ssl_handshake_timeout=min(30.0, self.limits.idle_timeout_s) if self.tls else None))
        ready.set()
        self.loop.run_forever()
        self.loop.close()

    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def serve_forever(self) -> None:
        self.start()
        if self._thread is not None:
            self._thread.join()

    def stop(self, *, abort: bool = False, timeout_s: float = 10.0) -> None:
        """Stop accepting and end every connection.

        Normally the listener stops reading, files what it has read, sends those ACKs and closes;
        with `abort` the connections are cut at once, as a crash would (an ACK in flight is lost,
        never the committed data it stands for).
        """
        if self._thread is None or not self._thread.is_alive():
            return
        done = asyncio.run_coroutine_threadsafe(self._shutdown(abort, timeout_s), self.loop)
        try:
            done.result(timeout=timeout_s + 5)
        finally:
            self.filer.stop(abort=abort)
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(timeout=timeout_s)

    async def _shutdown(self, abort: bool, timeout_s: float) -> None:
        self.stopping = True
        if self._server is not None:
            self._server.close()
        for conn in list(self.connections):
            (conn.abort if abort else conn._pause)()
        deadline = self.loop.time() + timeout_s
        while not abort and any(c.busy() for c in self.connections) and self.loop.time() < deadline:
            await asyncio.sleep(0.01)
        for conn in list(self.connections):
            conn.close()

    # -- messages
    def prepare(self, raw: bytes, peer: str = "") -> Incoming | bytes:
        """Parse (in the filing thread): an Incoming to file, or the framed AR for what is not a readable ORU^R01."""
        now = datetime.now(UTC)
        try:
            parsed = parse_oru(raw, default_tz=self.time_zone, options=self.options)
        except Hl7Reject as exc:
            header = read_header(raw)
            log.info("hl7 %s from %s: AR %s", header.control_id or "-", header.sending_application or "-", exc.hl7_error_code)
            return frame(build_error_ack(raw, exc, now=now, control_id=_ack_id()))
        except Hl7ContentError as exc:
            return Incoming(raw, read_header(raw), now, peer=peer,
                            reason=NotFiled(str(exc), exc.hl7_error_code, keep=not isinstance(exc, Hl7KeyTooLong)))
        return Incoming(raw, parsed.header, now, parsed=parsed, peer=peer)

    def ack_for(self, item: Incoming, result: Result) -> bytes:
        """The framed ACK of a filed message, or NO_ACK when nothing may be answered."""
        if isinstance(result, NoAck) or not isinstance(result, Filing):
            log.warning("hl7 %s: not filed, no ACK sent (the sender will resend)", item.header.control_id or "-")
            return NO_ACK
        level = logging.DEBUG if result.code == "AA" else logging.INFO  # one line per AA is 5,000 lines a second
        if log.isEnabledFor(level):
            outcome = (" (resend)" if result.duplicate else f" {result.readings} reading(s)" if result.code == "AA"
                       else f" {result.error_code}: {result.text}")
            log.log(level, "hl7 %s from %s: %s%s", result.header.control_id[:60], result.header.sending_application[:60],
                    result.code, outcome)
        return frame(build_ack(result.header, result.code, result.text, now=datetime.now(UTC), control_id=_ack_id(),
                               error_code=result.error_code))

    def refuse(self, error: MessageTooLarge) -> bytes:
        """The AR for a frame over the size limit (echoing its MSH-10 when the first kilobyte holds it)."""
        header = read_header(error.head)
        log.warning("hl7 %s from %s: AR message over %s bytes, connection closed",
                    header.control_id or "-", header.sending_application or "-", self.max_bytes)
        return frame(build_error_ack(error.head, error, now=datetime.now(UTC), control_id=_ack_id()))

    def _deliver_threadsafe(self, results: list[tuple[Any, bytes]]) -> None:
        try:
            self.loop.call_soon_threadsafe(self._deliver, results)
        except RuntimeError:  # the loop is closed: the connections are gone, and with them these ACKs
            pass

    def _deliver(self, results: list[tuple[Any, bytes]]) -> None:
        for (conn, slot), ack in results:
            conn.resolved(slot, ack)

    def stats(self) -> dict[str, float]:
        return {"batches": self.filer.batches, "filed": self.filer.filed, "largest_batch": self.filer.largest_batch,
                "connections": len(self.connections), "filer_cpu_s": self.filer.cpu_s}
