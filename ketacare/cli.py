"""The `ketacare` console command: Django's management commands under the project's name."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run a ketacare subcommand (e.g. `ketacare demo`, `ketacare audit verify`)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketacare.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["ketacare", *argv])
    args[0] = "ketacare"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
