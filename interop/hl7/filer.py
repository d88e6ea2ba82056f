"""The listener's filing thread: one persistent database connection, batches closed by size, time or arrivals.

Frames from every connection queue here, as received. The thread parses them (so the event loop
only moves bytes and never competes for the interpreter while a batch runs), answers garbage
with AR at once, and files the rest together. A batch closes when it holds `batch_max` messages,
when every open connection has a message in it (no one else can add to it before answering), or
`batch_wait_ms` after its first message; it is then filed in one transaction (`batch.file_batch`)
and every ACK goes back to the event loop in one hop, to be written only after that commit.
"""

import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

from django.db import connection

from .batch import Incoming, NoAck, file_batch
from .cache import SessionCache
from .limits import Limits
from .services import Filing

log = logging.getLogger("ketacare.hl7")
Result = Filing | NoAck
Deliver = Callable[[list[tuple[Any, bytes]]], None]
Prepare = Callable[[bytes, str], Incoming | bytes]
Answer = Callable[[Incoming, Result], bytes]


class Filer:
    """Files what `submit` queues, in batches, on its own thread and connection; `deliver` gets the answers."""

    def __init__(self, *, clinic: Any, limits: Limits, prepare: Prepare, answer: Answer, deliver: Deliver,
                 open_connections: Callable[[], int]) -> None:
        self.clinic, self.limits, self.open_connections = clinic, limits, open_connections
        self.prepare, self.answer, self.deliver = prepare, answer, deliver
        self._queue: queue.SimpleQueue[tuple[bytes, Any, str] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="hl7-filer", daemon=True)
        self._abort = threading.Event()
        self._tuned: Any = None
        self.durability = ""  # what the database reports for the setting below, once connected
        self.batches = 0
        self.filed = 0
        self.largest_batch = 0
        self.cpu_s = 0.0  # CPU time of this thread spent parsing, filing and building ACKs

    def start(self) -> None:
        self._thread.start()

    def submit(self, raw: bytes, token: Any, peer: str = "") -> None:
        self._queue.put((raw, token, peer))

    def stop(self, *, abort: bool = False, timeout_s: float = 10.0) -> None:
        """Finish the batch in hand (and, unless aborting, everything queued), then end the thread."""
        if abort:
            self._abort.set()
        self._queue.put(None)
        self._thread.join(timeout=timeout_s)

    def _run(self) -> None:
        cache = SessionCache(self.clinic)
        try:
            stopping = False
            while not stopping:
                batch, stopping = self._collect()
                if batch and not self._abort.is_set():
                    started = time.thread_time()
                    answers = self._answer_all(cache, batch)
                    self.cpu_s += time.thread_time() - started
                    self.deliver(answers)
        finally:
            cache.close()
            connection.close()

    def _answer_all(self, cache: SessionCache, batch: list[tuple[bytes, Any, str]]) -> list[tuple[Any, bytes]]:
        """Parse every frame, file the readable ones together, and return each token's ACK (b"" for none)."""
        prepared = [(self._prepare(raw, peer), token) for raw, token, peer in batch]
        items = [(p, token) for p, token in prepared if isinstance(p, Incoming)]
        results = self._file(cache, [p for p, _ in items]) if items else []
        answers = {id(token): self.answer(p, result) for (p, token), result in zip(items, results, strict=True)}
        return [(token, p if isinstance(p, bytes) else answers[id(token)]) for p, token in prepared]

    def _prepare(self, raw: bytes, peer: str) -> Incoming | bytes:
        try:
            return self.prepare(raw, peer)
        except Exception:  # a bug, not the sender's fault: no ACK, so the message is resent after the fix
            log.exception("hl7 message not parsed, no ACK sent")
            return b""

    def _collect(self) -> tuple[list[tuple[bytes, Any, str]], bool]:
        first = self._queue.get()
        if first is None:
            return [], True
        batch, deadline = [first], time.monotonic() + self.limits.batch_wait_ms / 1000
        while len(batch) < self.limits.batch_max:
            wait = 0.0 if len(batch) >= self.open_connections() else deadline - time.monotonic()
            try:
                item = self._queue.get(timeout=wait) if wait > 0 else self._queue.get_nowait()
            except queue.Empty:
                break
            if item is None:
                return batch, True
            batch.append(item)
        return batch, False

    def _file(self, cache: SessionCache, items: list[Incoming]) -> list[Result]:
        try:
            self._durable()
            results = file_batch(self.clinic, cache, items)
        except Exception:
            log.exception("hl7 batch of %s not filed, no ACK sent (the senders will resend)", len(items))
            connection.close()  # reconnect for the next batch
            return [NoAck() for _ in items]
        self.batches += 1
        self.filed += len(items)
        self.largest_batch = max(self.largest_batch, len(items))
        return results

    def _durable(self) -> None:
        """An ACKed reading must survive power loss: fsync every commit on this connection (ADR 0011)."""
        connection.ensure_connection()
        if connection.connection is self._tuned:
            return
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("PRAGMA synchronous=FULL")
                cursor.execute("PRAGMA synchronous")
            else:
                cursor.execute("SET synchronous_commit TO on")
                cursor.execute("SHOW synchronous_commit")
            self.durability = str(cursor.fetchone()[0])
        self._tuned = connection.connection
