"""`ketacare hl7-listen`: the MLLP listener bedside monitors send ORU^R01 vitals to (IHE PCD-01).

One listener serves one clinic (docs/adr/0005-hl7-listener.md); it files what arrives together in one
transaction and ACKs after the commit (docs/adr/0011-hl7-group-commit.md). Ctrl-C or SIGTERM stop it
after the messages in hand are filed and answered.
"""

import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from infusions import services
from infusions.management.clinic_option import clinic_from
from interop.hl7.limits import Limits
from interop.hl7.listener import MllpListener
from interop.hl7.quarantine import expire_quarantine
from interop.hl7.tls import tls_from_settings


class Command(BaseCommand):
    help = "Listen for HL7 v2 ORU^R01 vitals over MLLP and file them; AA only after commit."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=None,
                            help="Address to listen on (default KETACARE_HL7_HOST, 127.0.0.1: this machine only).")
        parser.add_argument("--tls-cert", default=None, help="Serve MLLP over TLS with this PEM certificate (chain) file "
                            "(default KETACARE_HL7_TLS_CERT; see docs/operations.md).")
        parser.add_argument("--tls-key", default=None, help="The certificate's PEM private key (default KETACARE_HL7_TLS_KEY).")
        parser.add_argument("--tls-client-ca", default=None,
                            help="Require sender certificates signed by this CA file (default KETACARE_HL7_TLS_CLIENT_CA).")
        parser.add_argument("--port", type=int, default=2575, help="TCP port (default 2575, the registered MLLP port).")
        parser.add_argument("--clinic", help="Slug of the clinic these monitors belong to (default: the only clinic).")
        parser.add_argument("--max-bytes", type=int, default=None,
                            help="Largest message accepted (default: the clinic setting, 1 MiB).")
        parser.add_argument("--tick", type=int, default=30,
                            help="Also raise overdue-reading alerts every N seconds (0 = off; default 30).")
        parser.add_argument("--max-connections", type=int, default=None,
                            help="Connections served at once (default KETACARE_HL7_MAX_CONNECTIONS, 200).")
        parser.add_argument("--idle-timeout", type=float, default=None,
                            help="Close a connection silent this many seconds (default KETACARE_HL7_IDLE_TIMEOUT_S, 300).")
        parser.add_argument("--rate", type=float, default=None,
                            help="Messages a second per connection before reading slows (default KETACARE_HL7_RATE_PER_S).")

    def handle(self, *args: Any, **options: Any) -> None:
        clinic = clinic_from(options["clinic"])
        try:
            limits = Limits.from_settings(max_connections=options["max_connections"], rate_per_s=options["rate"],
                                          idle_timeout_s=options["idle_timeout"])
            tls = tls_from_settings(options["tls_cert"], options["tls_key"], options["tls_client_ca"])
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        listener = MllpListener(clinic=clinic, host=options["host"] or settings.KETACARE_HL7_HOST, port=options["port"],
                                max_bytes=options["max_bytes"], limits=limits, tls=tls)
        stop = threading.Event()
        if options["tick"] > 0:
            threading.Thread(target=self._tick, args=(clinic, options["tick"], stop), daemon=True).start()
        host, port = listener.address
        over = "MLLP over TLS" if tls else "MLLP"
        self.stdout.write(f"Listening for HL7 ORU^R01 over {over} on {host}:{port} for {clinic.name} (Ctrl-C stops).")
        signal.signal(signal.SIGTERM, lambda *_: stop.set())  # systemd and docker stop with SIGTERM
        listener.start()
        try:
            while listener.running() and not stop.is_set():
                stop.wait(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            self.stdout.write("Stopping: finishing the messages in hand.")
            stop.set()
            listener.stop()

    def _tick(self, clinic: Any, seconds: int, stop: threading.Event) -> None:
        from django.db import connections

        while not stop.wait(seconds):
            try:
                services.raise_overdue_alerts(clinic=clinic)
                expire_quarantine(clinic, at=services.now())
            except Exception:  # the next tick retries; the listener keeps serving
                self.stderr.write("overdue tick failed; retrying")
            finally:
                connections.close_all()
