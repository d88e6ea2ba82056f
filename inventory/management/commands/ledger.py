"""`ketacare ledger`: the controlled-substance ledger from the command line.

  ketacare ledger reconcile [--json] [--clinic SLUG]
      Balances per lot and location, sessions that do not reconcile, containers opened
      without a session, open count discrepancies, and any entry that disagrees with the
      replayed balances or with its audit event. Exits 1 when anything does not reconcile.

Ledger records are never purged: 21 CFR 1304.04 requires 2 years and KetaCare keeps them all.
"""

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from accounts.models import Clinic
from audit import services as audit
from inventory.reconciliation import Reconciliation, as_json, reconcile


class Command(BaseCommand):
    help = ("Controlled-substance ledger tools. `ketacare ledger reconcile [--json] [--clinic SLUG]` prints balances, "
            "unreconciled sessions and open discrepancies and exits 1 if anything does not reconcile. "
            "Records are never purged (21 CFR 1304.04: keep at least 2 years).")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", title="actions")
        rec = sub.add_parser("reconcile", help="Reconcile balances, sessions and counts; exit 1 if anything does not.")
        rec.add_argument("--json", action="store_true", help="Print one JSON document instead of text.")
        rec.add_argument("--clinic", help="Only this clinic (its slug); all clinics by default.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("action") != "reconcile":
            self.print_help("ketacare", "ledger")
            return
        clinics = Clinic.objects.order_by("slug")
        if options.get("clinic"):
            clinics = clinics.filter(slug=options["clinic"])
            if not clinics.exists():
                raise CommandError(f"No clinic with slug {options['clinic']!r}.")
        reports = [(clinic, reconcile(clinic)) for clinic in clinics]
        with transaction.atomic():
            for clinic, report in reports:
                audit.record(action="ledger_reconcile_run", by="ketacare ledger", clinic=clinic,
                             detail={"ok": report.ok, "failing_sessions": len(report.failing)})
        if options["json"]:
            self.stdout.write(json.dumps({"ok": all(r.ok for _, r in reports),
                                          "clinics": [as_json(c, r) for c, r in reports]}, indent=2))
        else:
            for clinic, report in reports:
                self._text(clinic, report)
        if not all(r.ok for _, r in reports):
            sys.exit(1)

    def _text(self, clinic: Clinic, r: Reconciliation) -> None:
        w = self.stdout.write
        w(f"== {clinic.name} ({clinic.slug}): {'reconciles' if r.ok else 'DOES NOT RECONCILE'}")
        w("Balances (lot, location: mL / mg; sealed + opened containers):")
        for b in r.balances:
            w(f"  {b.lot.lot_number:<14} {b.location.name:<20} {b.ml:>9} mL {b.mg:>10} mg  "
              f"({b.sealed} sealed, {b.opened} opened) {b.lot.product.strength_mg_per_ml} mg/mL, expires {b.lot.expires_on}")
        if not r.balances:
            w("  (no stock)")
        w(f"Sessions that do not reconcile (tolerance {r.tolerance_mg} mg): {len(r.failing)}")
        for s in r.failing:
            if s.result.infused_without_draw:
                continue
            w(f"  session {s.session.pk} ({s.session.patient.mrn}, infusion {s.session.number}): drawn {s.result.drawn_mg} mg, "
              f"given {s.result.administered_mg} mg, wasted {s.result.wasted_mg} mg, unaccounted {s.result.difference_mg} mg")
        for s in r.infused_without_draw:
            w(f"  session {s.session.pk} ({s.session.patient.mrn}, infusion {s.session.number}) infused with nothing drawn")
        w(f"Draws not closed by administration plus waste: {len(r.open_draws)}")
        for d in r.open_draws:
            w(f"  draw entry {d.pk}: {d.quantity_mg} mg, session {d.session_id or 'none'}")
        w(f"Containers opened without a session: {len(r.opened_without_session) + len(r.draws_without_session)}")
        for c in r.opened_without_session:
            w(f"  vial {c.code} ({c.get_state_display().lower()}) at {c.location}")
        for d in r.draws_without_session:
            w(f"  draw entry {d.pk} from vial {d.container.code if d.container else '?'} names no session")
        w(f"Open count discrepancies: {len(r.open_discrepancies)}")
        for d in r.open_discrepancies:
            w(f"  lot {d.lot.lot_number} at {d.location}: {d.difference_ml} mL ({d.difference_mg} mg), opened {d.opened_at:%Y-%m-%d}")
        w(f"Ledger integrity problems: {len(r.ledger_problems)}")
        for p in r.ledger_problems:
            w(f"  {p}")

