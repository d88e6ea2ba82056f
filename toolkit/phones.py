"""Phone numbers: checked and stored as E.164 with `phonenumbers` (libphonenumber's data), ADR 0017.

A number typed without a country code is read in the clinic region's numbering
plan (`KETACARE_PHONE_REGION`, default US); what is stored is E.164
("+12025550143"), so every page, the API, FHIR and the text-message outbox see
one spelling. Pages show the national format of the region.
"""

import phonenumbers
from django.conf import settings


def region() -> str:
    """The numbering plan a number without a country code is read in."""
    return str(getattr(settings, "KETACARE_PHONE_REGION", "US"))


def to_e164(raw: str) -> str:
    """Return the E.164 form of `raw` ('' for blank); raise ValueError saying what is wrong."""
    text = (raw or "").strip()
    if not text:
        return ""
    try:
        parsed = phonenumbers.parse(text, region())
    except phonenumbers.NumberParseException:
        raise ValueError(f"{text!r} is not a phone number.") from None
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError(f"{text!r} is not a valid phone number (add the area code, or +country code).")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def display(e164: str) -> str:
    """A stored number as people read it: national format in the clinic's region, international otherwise."""
    if not e164:
        return ""
    try:
        parsed = phonenumbers.parse(e164, region())
    except phonenumbers.NumberParseException:
        return e164
    same = phonenumbers.region_code_for_number(parsed) == region()
    kind = phonenumbers.PhoneNumberFormat.NATIONAL if same else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(parsed, kind)
