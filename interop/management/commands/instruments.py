"""`ketacare instruments list` and `ketacare instruments import FILE`: instruments and their wording."""

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from accounts.models import Clinic
from clinical.instruments import INSTRUMENTS
from interop.fhir.wording import import_wording
from measures.models import InstrumentWording
from toolkit.errors import ServiceError

MAX_BYTES = 5_000_000


class Command(BaseCommand):
    help = "List the instruments, or import official item wording from a FHIR R4 Questionnaire (JSON)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="Instruments and where their wording comes from.")
        imp = sub.add_parser("import", help="Load item wording from a FHIR Questionnaire JSON file.")
        imp.add_argument("file")
        imp.add_argument("--instrument", choices=list(INSTRUMENTS), help="Which instrument (default: from the file).")
        imp.add_argument("--clinic", help="Clinic slug; without it the wording applies to every clinic.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            self._list()
        else:
            self._import(options)

    def _fail(self, message: str) -> None:
        self.stderr.write(f"ketacare instruments import: {message}")
        sys.exit(2)

    def _import(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        if not path.is_file():
            self._fail(f"{path}: no such file.")
        raw = path.read_bytes()
        if len(raw) > MAX_BYTES:
            self._fail(f"{path} is larger than {MAX_BYTES // 1_000_000} MB; is this a Questionnaire?")
        try:
            data = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            self._fail(f"{path} is not JSON: {exc}. Nothing was imported.")
        clinic = None
        if options.get("clinic"):
            clinic = Clinic.objects.filter(slug=options["clinic"]).first()
            if clinic is None:
                self._fail(f"No clinic with slug {options['clinic']!r}.")
        try:
            row = import_wording(data=data, raw=raw, instrument_id=options.get("instrument"),
                                          clinic=clinic, by="command line")
        except ServiceError as exc:
            self._fail(exc.message)
        scope = clinic.name if clinic else "every clinic"
        self.stdout.write(f"Imported wording for {len(row.items)} items of {INSTRUMENTS[row.instrument].name} "
                          f"for {scope}.")

    def _list(self) -> None:
        rows = {(w.instrument, w.clinic_id): w for w in InstrumentWording.objects.select_related("clinic")}
        for instrument in INSTRUMENTS.values():
            sources = [f"{w.clinic.slug if w.clinic else 'all clinics'}: {w.title or 'imported'}"
                       for (i, _), w in rows.items() if i == instrument.id]
            where = "; ".join(sources) if sources else "project labels"
            self.stdout.write(f"{instrument.id:<6} {len(instrument.items):>2} items  {instrument.name}  [{where}]")
