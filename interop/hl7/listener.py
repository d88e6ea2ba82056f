"""The MLLP listener for bedside monitors: frames, files through the service, answers after commit.

One thread per connection (many monitors at once). Each complete frame is filed by
`services.file_hl7_message` in its own transaction and answered AA only once that has
committed; AE and AR follow docs/adr/0004-hl7-ack-policy.md. An unexpected failure
(database down) closes the connection without an ACK, so the sender resends. Logs carry
the control id, sender and ACK code, never patient data (docs/adr/0005-hl7-listener.md).
"""

import logging
import socket
import socketserver
import threading
import uuid
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime
from typing import Any

from django.db import close_old_connections, connection, connections

from clinical.hl7 import MessageTooLarge, MllpDecoder, build_ack, build_error_ack, frame, read_header
from clinical.hl7.errors import Hl7Reject

from ..policy import hl7_max_bytes
from . import services

log = logging.getLogger("ketacare.hl7")
RECV_BYTES = 65536


class NoAck(Exception):
    """Filing failed unexpectedly: answer nothing so the sender resends."""


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = False  # server_close() waits for every connection thread to finish its commit
    block_on_close = True
    listener: "MllpListener"


class _Handler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        listener: MllpListener = self.server.listener  # type: ignore[attr-defined]
        sock: socket.socket = self.request
        listener.track(sock)
        try:
            listener.serve_connection(sock)
        finally:
            listener.untrack(sock)
            connections.close_all()


class MllpListener:
    """Serve one clinic's monitors on host:port (port 0 picks a free port)."""

    def __init__(self, *, clinic: Any, host: str = "127.0.0.1", port: int = 2575, max_bytes: int | None = None) -> None:
        self.clinic = clinic
        self.max_bytes = max_bytes or hl7_max_bytes(clinic)
        self.server = _Server((host, port), _Handler, bind_and_activate=True)
        self.server.listener = self
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        # SQLite has one writer at a time: queue writers here instead of spinning on the file lock.
        self._write_lock: AbstractContextManager[Any] = threading.Lock() if connection.vendor == "sqlite" else nullcontext()
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> tuple[str, int]:
        host, port = self.server.server_address[:2]
        return str(host), int(port)

    def track(self, sock: socket.socket) -> None:
        with self._open_lock:
            self._open.add(sock)

    def untrack(self, sock: socket.socket) -> None:
        with self._open_lock:
            self._open.discard(sock)

    def serve_forever(self) -> None:
        log.info("hl7 listener for clinic %s on %s:%s", self.clinic.slug, *self.address)
        self.server.serve_forever(poll_interval=0.2)

    def start(self) -> "MllpListener":
        """Serve in a background thread (tests, benchmarks)."""
        self._thread = threading.Thread(target=self.serve_forever, name="hl7-listener", daemon=True)
        self._thread.start()
        return self

    def stop(self, *, abort: bool = False) -> None:
        """Stop accepting and end every connection, waiting for the message in hand to commit.

        Normally the listener stops reading and still sends the ACK of what it filed; with
        `abort` the connections are cut at once, as a crash would (an ACK in flight is lost,
        never the committed data it stands for).
        """
        self.server.shutdown()
        with self._open_lock:
            for sock in list(self._open):
                try:
                    sock.shutdown(socket.SHUT_RDWR if abort else socket.SHUT_RD)
                except OSError:
                    pass
        self.server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def serve_connection(self, sock: socket.socket) -> None:
        """Read frames until the peer closes; answer each in order."""
        decoder = MllpDecoder(self.max_bytes)
        while True:
            try:
                chunk = sock.recv(RECV_BYTES)
            except OSError:
                return
            if not chunk:
                return
            try:
                complete, oversize = decoder.feed(chunk), None
            except MessageTooLarge as exc:
                complete, oversize = list(exc.complete), exc
            try:
                for raw in complete:
                    sock.sendall(frame(self.answer(raw)))
                if oversize is not None:
                    sock.sendall(frame(self.refuse(oversize)))
                    return
            except (OSError, NoAck):
                return

    def answer(self, raw: bytes) -> str:
        """File one message and return its ACK (raise NoAck when nothing may be answered)."""
        now = datetime.now(UTC)
        ack_id = f"KC{uuid.uuid4().hex[:18]}"
        try:
            close_old_connections()
            with self._write_lock:
                filing = services.file_hl7_message(clinic=self.clinic, raw=raw, received_at=now)
        except Hl7Reject as exc:
            header = read_header(raw)
            log.info("hl7 %s from %s: AR %s", header.control_id or "-", header.sending_application or "-", exc.hl7_error_code)
            return build_error_ack(raw, exc, now=now, control_id=ack_id)
        except Exception:
            log.exception("hl7 %s: not filed, no ACK sent (the sender will resend)", read_header(raw).control_id or "-")
            raise NoAck() from None
        outcome = " (resend)" if filing.duplicate else (f" {filing.readings} reading(s)" if filing.code == "AA" else
                                                         f" {filing.error_code}, held in quarantine")
        log.info("hl7 %s from %s: %s%s", filing.header.control_id, filing.header.sending_application, filing.code, outcome)
        return build_ack(filing.header, filing.code, filing.text, now=now, control_id=ack_id, error_code=filing.error_code)

    def refuse(self, error: MessageTooLarge) -> str:
        """Answer AR to a frame over the size limit (echoing its MSH-10 when the first kilobyte holds it)."""
        header = read_header(error.head)
        log.warning("hl7 %s from %s: AR message over %s bytes, connection closed",
                    header.control_id or "-", header.sending_application or "-", self.max_bytes)
        return build_error_ack(error.head, error, now=datetime.now(UTC), control_id=f"KC{uuid.uuid4().hex[:18]}")

    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()
