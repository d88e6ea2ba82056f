"""`ketacare staff add|reset-password|deactivate|reactivate|reset-second-factor`: staff accounts from the command line.

For the operator of a clinic's server (the first clinic admin, a lost admin password). The password is
read from standard input (`--password-stdin`) or asked twice without echo, never from the command line,
and must pass the same policy as the pages and the API. Each change is audited as "ketacare staff".
"""

import getpass
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from accounts import services
from accounts.choices import Role
from accounts.models import Clinic, User
from toolkit.errors import ServiceError

BY = "ketacare staff"


class Command(BaseCommand):
    help = "Add staff, reset a password or a second factor, deactivate or reactivate an account (audited)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        for name, text in (("add", "Add a staff user with a role in a clinic."),
                           ("reset-password", "Set a new password (sessions end, tokens are revoked)."),
                           ("deactivate", "End a user's access to a clinic now (sessions and tokens)."),
                           ("reactivate", "Give a deactivated user their role back."),
                           ("reset-second-factor", "Remove a user's second factors (lost phone or key).")):
            p = sub.add_parser(name, help=text)
            p.add_argument("--clinic", required=True, help="Clinic slug.")
            p.add_argument("--username", required=True)
            if name == "add":
                p.add_argument("--role", required=True, choices=Role.values)
                p.add_argument("--first-name", default="")
                p.add_argument("--last-name", default="")
                p.add_argument("--email", default="")
            if name in {"add", "reset-password"}:
                p.add_argument("--password-stdin", action="store_true", help="Read the password from standard input.")
            if name == "deactivate":
                p.add_argument("--reason", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        what = options["what"]
        clinic = Clinic.objects.filter(slug=options["clinic"]).first()
        if clinic is None:
            self._fail(f"no clinic with slug {options['clinic']!r}.")
        try:
            self._do(what, clinic, options)
        except ServiceError as exc:
            self._fail(exc.message)
        self.stdout.write(f"ketacare staff {what}: done for {options['username']} in {clinic.slug}.")

    def _do(self, what: str, clinic: Clinic, options: dict[str, Any]) -> None:
        if what == "add":
            services.create_staff(clinic=clinic, username=options["username"], password=self._password(options),
                                  role=options["role"], first_name=options["first_name"], last_name=options["last_name"],
                                  email=options["email"], by=BY)
            return
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise ServiceError(f"no user {options['username']!r}.")
        if what == "reset-password":
            services.reset_password(user=user, clinic=clinic, password=self._password(options), by=BY)
        elif what == "deactivate":
            services.deactivate_staff(user=user, clinic=clinic, reason=options["reason"], by=BY)
        elif what == "reactivate":
            services.reactivate_staff(user=user, clinic=clinic, by=BY)
        else:
            services.reset_second_factor(user=user, clinic=clinic, by=BY)

    def _password(self, options: dict[str, Any]) -> str:
        if options["password_stdin"]:
            return sys.stdin.readline().rstrip("\n")
        first = getpass.getpass("New password: ")
        if getpass.getpass("Again: ") != first:
            self._fail("the two passwords differ.")
        return first

    def _fail(self, message: str) -> None:
        self.stderr.write(f"ketacare staff: {message}")
        sys.exit(2)
