"""`ketacare demo`: build the deterministic demo clinic and print the demo logins."""

import random
import time
from collections.abc import Callable
from datetime import UTC, datetime

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from accounts import services as accounts
from accounts.choices import Role
from accounts.demo import DemoContext
from accounts.models import Clinic, User
from ketacare.demo import build_apps

CLINIC = ("Riverside Infusion Clinic (demo)", "demo")


def demo_password(role: str) -> str:
    """The demo login's password: passes the staff password policy (12+ characters, unlike the username)."""
    return f"{role.replace('_', '-')}-synthetic-only"


class Command(BaseCommand):
    help = "Build the demo clinic with synthetic patients at every stage (deterministic), then print the logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--if-new", action="store_true", help="Do nothing if a clinic already exists.")
        parser.add_argument("--reset", action="store_true", help="Empty the database first (demo databases only!).")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--network", type=int, metavar="N",
                            help="Instead: write a synthetic network research export of N patients (outcomes engine).")
        parser.add_argument("--patients", type=int, metavar="N",
                            help="Also add N synthetic patients in bulk (courses, sessions, about 100 vital-sign sets "
                                 "and assessments each), with a progress bar on stderr.")
        parser.add_argument("--out", help="With --network: the export directory (default var/network-export).")
        parser.add_argument("--format", choices=("parquet", "csv"), default="parquet", help="With --network.")

    def handle(self, *args: object, **options: object) -> None:
        if options["patients"] is not None and int(options["patients"]) < 1:  # type: ignore[call-overload]
            raise CommandError("--patients takes a number of patients above 0.")
        if options["network"] is not None:
            from outcomes.synthetic import write_network_command

            write_network_command(self, options)
            return
        if options["reset"]:
            call_command("flush", "--noinput", verbosity=0)
        if Clinic.objects.exists():
            if options["if_new"]:
                self.stdout.write("The database already holds a clinic; the demo was not rebuilt (use `make demo` to rebuild).")
                self._print_logins()
                return
            self.stderr.write("The database already holds data. Use --reset to rebuild the demo from scratch.")
            raise SystemExit(2)
        started = time.monotonic()
        steps: list[str] = []

        def progress(message: str) -> None:
            steps.append(message)
            bar = "#" * len(steps) + "." * max(0, 9 - len(steps))
            self.stdout.write(f"[{bar}] {message} ({time.monotonic() - started:.1f}s)")

        ctx = self._context(int(options["seed"]), progress)
        with transaction.atomic():
            build_apps(ctx)
        self.stdout.write(self.style.SUCCESS(f"Demo clinic built in {time.monotonic() - started:.1f}s: "
                                             f"{len(ctx.patients)} synthetic patients."))
        if options["patients"]:
            self._bulk(ctx, int(options["patients"]), int(options["seed"]))
        self._print_logins()

    def _bulk(self, ctx: DemoContext, n: int, seed: int) -> None:
        from ketacare.synthetic import add_patients

        started = time.monotonic()
        add_patients(ctx.clinic, ctx.users, n, seed=seed, stream=self.stderr._out, say=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"{n:,} bulk patients added in {time.monotonic() - started:.1f}s."))

    def _context(self, seed: int, progress: Callable[[str], None]) -> DemoContext:
        clinic = accounts.create_clinic(name=CLINIC[0], slug=CLINIC[1], by="demo")
        # The demo's logins are printed for anyone to try, so the demo clinic asks no second factor
        # (a new clinic asks prescribers, clinic admins and inventory officers: docs/adr/0018).
        accounts.update_policy(clinic=clinic, values={"second_factor_roles": []}, by="demo")
        users, passwords = {}, {}
        names: dict[str, tuple[str, str]] = {Role.PRESCRIBER: ("Dana", "Prescott"), Role.NURSE: ("Noor", "Nightingale"), Role.THERAPIST: ("Theo", "Harper"),
                 Role.FRONT_DESK: ("Frankie", "Desai"), Role.CLINIC_ADMIN: ("Alex", "Admin"),
                 Role.INVENTORY_OFFICER: ("Ivy", "Ledger"), Role.RESEARCHER: ("Robin", "Quant")}
        for role in Role.values:
            username = role.replace("_", "")
            passwords[username] = demo_password(role)
            first, last = names[role]
            users[role] = accounts.create_staff(clinic=clinic, username=username, password=passwords[username], role=role,
                                                first_name=first, last_name=last, email=f"{username}@demo.invalid", by="demo")
        return DemoContext(clinic=clinic, users=users, passwords=passwords, now=datetime.now(UTC),
                           rng=random.Random(seed), progress=progress)

    def _print_logins(self) -> None:
        clinic = Clinic.objects.filter(slug=CLINIC[1]).first()
        if clinic is None:
            return
        self.stdout.write("\nDemo logins (synthetic clinic; change nothing real here):")
        self.stdout.write(f"  {'username':<18} {'password':<34} role")
        for user in User.objects.filter(memberships__clinic=clinic).order_by("username"):
            m = user.memberships.get(clinic=clinic)
            role = m.role
            password = demo_password(role) if user.username == role.replace("_", "") else "(see demo output)"
            if user.username.endswith("2"):
                password = demo_password(role) + "-2"
            self.stdout.write(f"  {user.username:<18} {password:<34} {m.get_role_display()}")
        self.stdout.write("The demo clinic asks no second factor (Clinic settings > Roles that must use a second factor).")
        self.stdout.write("Open http://127.0.0.1:8000 and sign in with one of them.\n")
