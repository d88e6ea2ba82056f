"""`ketacare schedule solve INSTANCE.json [--seconds S] --json` and `ketacare schedule optimise [--days N]`."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from scheduling.planner import (
    InstanceError,
    parse_instance,
    plan_instance,
    plan_kpis,
    plan_to_json,
    validate_plan,
)
from scheduling.planner.plan import local_iso


def _positive(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise CommandError(f"--seconds: {value!r} is not a number") from None
    if not 0 < seconds <= 3600:
        raise CommandError("--seconds: give a number of seconds in (0, 3600]")
    return seconds


class Command(BaseCommand):
    help = "Plan courses onto chairs and nurses: `solve` a JSON instance file, or `optimise` the clinic's calendar."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        solve = actions.add_parser("solve", help="plan the instance in a JSON file (docs/planner.md)")
        solve.add_argument("instance", help="path of the instance JSON file")
        solve.add_argument("--seconds", default="10", help="solver time limit (default 10)")
        solve.add_argument("--json", action="store_true", help="print the plan as JSON")
        optimise = actions.add_parser("optimise", help="re-plan unconfirmed future sessions of each clinic")
        optimise.add_argument("--days", type=int, default=28, help="days ahead to re-plan (default 28)")
        optimise.add_argument("--seconds", default="60", help="solver time limit per clinic (default 60)")
        optimise.add_argument("--clinic", help="slug of one clinic (default: every clinic)")

    def handle(self, *args: object, **options: object) -> None:
        if options["action"] == "solve":
            self._solve(str(options["instance"]), _positive(str(options["seconds"])), bool(options["json"]))
        else:
            self._optimise(int(options["days"]), _positive(str(options["seconds"])), options.get("clinic"))

    def _solve(self, path: str, seconds: float, as_json: bool) -> None:
        try:
            raw = json.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from None
        except json.JSONDecodeError as exc:
            raise CommandError(f"{path} is not JSON: {exc}") from None
        try:
            inst = parse_instance(raw)
        except InstanceError as exc:
            raise CommandError(f"{path}: {exc}") from None
        plan = plan_instance(inst, seconds=seconds)
        problems = validate_plan(inst, plan.sessions)
        if problems:  # never print a plan the independent check refuses
            raise CommandError("the plan failed validation: " + "; ".join(problems[:5]))
        out = plan_to_json(plan, plan_kpis(inst, plan))
        if as_json:
            self.stdout.write(json.dumps(out, indent=1))
            return
        self.stdout.write(f"status {out['status']}: {out['kpis']}")
        for s in sorted(plan.sessions, key=lambda s: s.start):
            self.stdout.write(f"  {local_iso(s.start)}  {s.chair:<6} {s.nurse:<6} {s.request} #{s.n}")
        if plan.unscheduled:
            self.stdout.write("unscheduled: " + ", ".join(sorted(plan.unscheduled)))

    def _optimise(self, days: int, seconds: float, clinic_slug: object) -> None:
        from scheduling.replan import optimise_clinics
        from toolkit.errors import ServiceError

        if not 1 <= days <= 120:
            raise CommandError("--days: give a number of days in 1..120")
        try:
            for line in optimise_clinics(days=days, seconds=seconds, clinic_slug=clinic_slug or None):
                self.stdout.write(line)
        except ServiceError as exc:
            raise CommandError(exc.message) from None
