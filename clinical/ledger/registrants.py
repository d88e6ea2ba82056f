"""Check a supplier's DEA registration number (CLINICAL.md section 6).

A receipt names its supplier with name, address and DEA number (21 CFR
1304.22(c)). A DEA number is two letters and seven digits; the last digit is a
check digit: (d1 + d3 + d5) + 2 x (d2 + d4 + d6), last digit of the sum.
(The check-digit method is DEA's published format, not in CLINICAL.md.)
"""

from __future__ import annotations

import re

from clinical.errors import ClinicalError

_PATTERN = re.compile(r"[A-Z][A-Z9][0-9]{7}")


def check_dea_number(value: str) -> str:
    """Return a DEA number in capitals, refusing a malformed one or a wrong check digit."""
    number = value.strip().upper()
    if not _PATTERN.fullmatch(number):
        raise ClinicalError(
            f"A DEA number is two letters and seven digits (like AB1234563), got {value!r}."
        )
    digits = [int(c) for c in number[2:]]
    odd = digits[0] + digits[2] + digits[4]
    even = digits[1] + digits[3] + digits[5]
    check = (odd + 2 * even) % 10
    if check != digits[6]:
        raise ClinicalError(
            f"DEA number {number} fails its check digit (expected {check} at the end); "
            "look for a typing error."
        )
    return number
