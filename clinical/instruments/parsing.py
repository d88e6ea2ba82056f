"""Parse the command line's comma-separated answer list."""

import re

from clinical.errors import ClinicalError

_INTEGER = re.compile(r"-?[0-9]+")


def parse_items(text: str) -> list[int | None]:
    """Parse "1,2,,3" into [1, 2, None, 3]: an empty field is a missing answer.

    Only whole numbers are accepted; ranges are checked later by `score`.
    """
    if not text.strip():
        raise ClinicalError("No answers given: expected a comma-separated list such as 1,2,,3.")
    return [_parse_field(pos, field) for pos, field in enumerate(text.split(","), 1)]


def _parse_field(pos: int, field: str) -> int | None:
    field = field.strip()
    if not field:
        return None
    if not _INTEGER.fullmatch(field):
        raise ClinicalError(f"Answer {pos} must be a whole number or empty, got {field!r}.")
    return int(field)
