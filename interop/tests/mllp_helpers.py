"""A monitor for the listener tests: one MLLP connection that sends a frame and waits for its ACK."""

import socket
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from clinical.hl7 import MllpDecoder, frame
from clinical.hl7.samples import SampleStyle, sample_oru
from infusions.choices import ReadingSource
from infusions.models import VitalSign


class Sender:
    """A monitor: one connection, send a frame, wait for its ACK."""

    def __init__(self, address):
        self.sock = socket.create_connection(address, timeout=10)
        self.decoder = MllpDecoder()
        self.pending: list[bytes] = []

    def send(self, raw: str | bytes) -> str:
        self.sock.sendall(frame(raw) if isinstance(raw, str) else raw)
        return self.receive()

    def receive(self) -> str:
        while not self.pending:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed by the listener")
            self.pending.extend(self.decoder.feed(chunk))
        return self.pending.pop(0).decode()

    def close(self):
        self.sock.close()


def msa(ack: str) -> tuple[str, str]:
    fields = next(seg for seg in ack.split("\r") if seg.startswith("MSA")).split("|")
    return fields[1], fields[2]


def oru(session, control_id, style=SampleStyle.PCD01_MDC, mrn=None, minutes_ago=1, vitals=None):
    at = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=minutes_ago)
    return sample_oru(style, mrn=mrn or session.patient.mrn, chair=session.chair.name, control_id=control_id,
                      observed_at=at.astimezone(ZoneInfo(session.clinic.time_zone)), vitals=vitals)


def device_rows(session):
    return VitalSign.objects.filter(session=session, source=ReadingSource.DEVICE)
