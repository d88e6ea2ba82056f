"""`ketacare audit verify|seal|checkpoint|create-keys|rotate-key`: the audit trail's tools (ADRs 0002, 0019)."""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit import keys
from audit.checkpoint import CheckpointError, check_against, make_checkpoint, read_checkpoint
from audit.sealing import seal_all
from audit.verify import ChainProblem, Checked, verify_chain


class Command(BaseCommand):
    help = ("Audit trail tools: `verify [--checkpoint FILE ...]` seals waiting events, checks every chain (and "
            "that the database still holds every checkpointed prefix) and exits non-zero on tampering; `seal` "
            "seals waiting events; `checkpoint` verifies, then prints a signed checkpoint to store elsewhere; "
            "`create-keys` creates the HMAC key file and the checkpoint signing key where none exist; "
            "`rotate-key` appends a new current HMAC key.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "seal", "checkpoint", "create-keys", "rotate-key"])
        parser.add_argument("--checkpoint", nargs="+", default=[], metavar="FILE",
                            help="verify: signed checkpoint files whose prefixes must still be in the database")
        parser.add_argument("--public-key", metavar="FILE",
                            help="verify: the checkpoint public key (default: the configured one)")
        parser.add_argument("--clinic", type=int, action="append", metavar="ID",
                            help="checkpoint: only this clinic's chain (repeatable)")

    def handle(self, *args: object, **options: object) -> None:
        action = options["action"]
        if action == "seal":
            self.stdout.write(f"audit: sealed {seal_all()} event(s)")
        elif action == "create-keys":
            self._create_keys()
        elif action == "rotate-key":
            self.stdout.write(f"audit: new current HMAC key {keys.rotate_key()} in {keys.key_file()}")
        elif action == "checkpoint":
            self._verified()
            clinics = options["clinic"] if isinstance(options["clinic"], list) else None
            self.stdout.write(json.dumps(make_checkpoint(clinics=clinics), indent=2))
        else:
            public = Path(str(options["public_key"])) if options["public_key"] else None
            files = [Path(str(f)) for f in options["checkpoint"]]  # type: ignore[attr-defined]
            checked = self._verified(files, public)
            extra = f" and {len(files)} checkpoint(s)" if files else ""
            self.stdout.write(f"audit chain intact: {checked.rows} rows verified in {checked.chains} chain(s){extra}")

    def _verified(self, checkpoints: list[Path] | None = None, public: Path | None = None) -> Checked:
        """Verify every chain (and checkpoint); print the problems and exit 1 if there are any."""
        try:
            docs = [read_checkpoint(path, public) for path in checkpoints or []]
        except CheckpointError as exc:
            raise CommandError(str(exc)) from None
        tally: list[Checked] = []
        problems: list[ChainProblem] = list(verify_chain(tally=tally))
        for doc in docs:
            problems.extend(check_against(doc))
        for p in problems:
            self.stderr.write(f"audit chain {p.chain} row {p.seq}: {p.problem}")
        checked = tally[0]
        if problems:
            self.stderr.write(f"audit chain BROKEN: {len(problems)} problem(s) in {checked.rows} rows "
                              f"of {checked.chains} chain(s)")
            sys.exit(1)
        return checked

    def _create_keys(self) -> None:
        made = keys.create_key_file(keys.key_file()) if not keys.key_file().exists() else False
        self.stdout.write(f"audit HMAC key file: {keys.key_file()} ({'created' if made else 'kept'})")
        made = keys.create_signing_key() if not keys.signing_key_file().exists() else False
        self.stdout.write(f"checkpoint signing key: {keys.signing_key_file()} ({'created' if made else 'kept'}); "
                          f"public key: {keys.signing_key_file().with_suffix('.pub.pem')}")
        for path in (keys.key_file(), keys.signing_key_file()):
            if keys.inside_data_dir(path):
                self.stderr.write(f"warning: {path} is inside KETACARE_VAR_DIR; in production keep it elsewhere")
