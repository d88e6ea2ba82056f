"""The HL7 commands: hl7-sample's output files for the session in progress."""

import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from clinical.hl7 import MllpDecoder, parse_oru
from infusions.tests.helpers import infusing, t0
from interop import services

pytestmark = pytest.mark.django_db


class Out(io.StringIO):
    """Stands in for stdout, with the binary buffer hl7-sample writes frames to."""

    def __init__(self):
        super().__init__()
        self.buffer = io.BytesIO()


@pytest.mark.parametrize("style", ["pcd01_mdc", "mdc_ucum", "loinc_engine"])
def test_hl7_sample_writes_framed_messages_that_file_for_the_session(world, style, monkeypatch):
    session = infusing(world, t0(1))
    out = Out()
    monkeypatch.setattr("sys.stdout", out)
    call_command("hl7-sample", "--mrn", session.patient.mrn, "--clinic", "clinic-a", "--count", "2", "--style", style)
    frames = MllpDecoder().feed(out.buffer.getvalue())
    assert len(frames) == 2
    for raw in frames:
        assert services.file_hl7_message(clinic=world.a, raw=raw).code == "AA"
    tz = ZoneInfo(world.a.time_zone)  # the LOINC style writes local time without an offset
    times = [parse_oru(raw, default_tz=tz).observations[0].observed_at for raw in frames]
    assert times[1] - times[0] == timedelta(minutes=5)
    assert abs(times[1] - datetime.now(UTC)) < timedelta(minutes=2)


@pytest.mark.django_db(transaction=True)
def test_hl7_listen_serves_until_sigterm_and_files_what_it_acks(world):
    """`ketacare hl7-listen` in its own process, on the test database: AA over TCP, then a clean stop."""
    import os
    import re
    import signal
    import subprocess
    import sys
    from pathlib import Path

    from django.db import connection

    from interop.models import Hl7Message

    from .mllp_helpers import Sender, msa, oru

    if connection.vendor != "sqlite":
        pytest.skip("the child process reaches the SQLite test file directly")
    session = infusing(world, t0(2))
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{Path(connection.settings_dict['NAME']).resolve()}"}
    command = [sys.executable, "-m", "ketacare.cli", "hl7-listen", "--port", "0", "--clinic", "clinic-a", "--tick", "0",
               "--max-connections", "4"]
    child = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # noqa: S603
    try:
        line = child.stdout.readline()
        port = int(re.search(r":(\d+) for", line).group(1))
        sender = Sender(("127.0.0.1", port))
        assert msa(sender.send(oru(session, "CLI1"))) == ("AA", "CLI1")
        sender.close()
        child.send_signal(signal.SIGTERM)
        assert child.wait(timeout=30) == 0
    finally:
        child.kill()
    assert Hl7Message.objects.filter(control_id="CLI1", status="filed").exists()
