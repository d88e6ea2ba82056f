"""`ketacare fhir client add|list|revoke` (SMART Backend Services clients) and `ketacare fhir export-worker`."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from toolkit.errors import ServiceError

ACTOR = "command line"


class Command(BaseCommand):
    help = "Manage SMART Backend Services clients and run the Bulk Data export worker."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="area", required=True)
        client = sub.add_parser("client", help="SMART Backend Services clients").add_subparsers(dest="action", required=True)
        add = client.add_parser("add", help="register a client and print its client_id")
        add.add_argument("--name", required=True)
        add.add_argument("--clinic", required=True, help="the clinic's slug")
        add.add_argument("--jwks", required=True, help="a file with the client's public JWKS")
        add.add_argument("--scopes", required=True, help='e.g. "system/*.read"')
        client.add_parser("list", help="list clients as JSON lines")
        revoke = client.add_parser("revoke", help="revoke a client")
        revoke.add_argument("client_id")
        worker = sub.add_parser("export-worker", help="run queued $export jobs")
        worker.add_argument("--once", action="store_true", help="run the jobs waiting now, then exit")
        worker.add_argument("--poll-seconds", type=float, default=2.0)
        worker.add_argument("--max-jobs", type=int, default=0, help="exit after this many jobs (0: no limit)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["area"] == "client":
                getattr(self, f"_client_{options['action']}")(options)
            else:
                from interop.fhir.export_worker import run_worker

                done = run_worker(once=options["once"], poll_seconds=options["poll_seconds"], max_jobs=options["max_jobs"],
                                  say=lambda text: self.stderr.write(text))
                self.stderr.write(f"export worker: {done} job(s) run")
        except ServiceError as exc:
            raise CommandError(str(exc)) from None

    def _client_add(self, options: dict[str, Any]) -> None:
        from accounts.models import Clinic
        from interop.fhir.services import register_client

        clinic = Clinic.objects.filter(slug=options["clinic"]).first()
        if clinic is None:
            raise CommandError(f"No clinic with slug {options['clinic']!r}.")
        try:
            jwks = json.loads(Path(options["jwks"]).read_text())
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read the JWKS file: {exc}") from None
        client = register_client(name=options["name"], clinic=clinic, jwks=jwks, scopes=options["scopes"], by=ACTOR)
        self.stdout.write(json.dumps({"client_id": client.client_id}))

    def _client_list(self, options: dict[str, Any]) -> None:
        from interop.fhir.models import SmartClient

        for client in SmartClient.objects.select_related("clinic").order_by("created_at"):
            self.stdout.write(json.dumps({
                "client_id": client.client_id, "name": client.name, "clinic": client.clinic.slug, "scopes": client.scopes,
                "created_at": client.created_at.isoformat(),
                "revoked_at": client.revoked_at.isoformat() if client.revoked_at else None}))

    def _client_revoke(self, options: dict[str, Any]) -> None:
        from interop.fhir.models import SmartClient
        from interop.fhir.services import revoke_client

        client = SmartClient.objects.select_related("clinic").filter(client_id=options["client_id"]).first()
        if client is None:
            raise CommandError(f"No client with client_id {options['client_id']!r}.")
        revoke_client(client=client, by=ACTOR)
        self.stdout.write(json.dumps({"client_id": client.client_id, "revoked_at": client.revoked_at.isoformat()}))
