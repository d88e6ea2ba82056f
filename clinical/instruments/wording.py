"""Take official item wording from a clinic-supplied FHIR R4 Questionnaire.

The input is the already-parsed JSON (a plain dict); validating it as FHIR
is the caller's job (fhir.resources on the Django side). Wording is matched
to our items by item code or by linkId (CLINICAL.md s4, "Item wording").
"""

from collections.abc import Iterator, Mapping

from clinical.errors import ClinicalError
from clinical.instruments.model import Coding, Instrument, Item
from clinical.instruments.registry import INSTRUMENTS


def wording_from_questionnaire(questionnaire: Mapping[str, object], instrument: Instrument) -> dict[str, str]:
    """Return item id -> wording text, or raise ClinicalError if the Questionnaire does not fit."""
    if questionnaire.get("resourceType") != "Questionnaire":
        raise ClinicalError("Expected a FHIR Questionnaire resource.")
    _check_own_code(questionnaire, instrument)
    found: dict[str, str] = {}
    for q_item in _walk(questionnaire.get("item"), "Questionnaire.item"):
        for item in _matches(q_item, instrument):
            _record(found, item, q_item)
    if not found:
        raise ClinicalError(f"No item of this Questionnaire matches {instrument.name} by code or linkId.")
    return {item.id: found[item.id] for item in instrument.items if item.id in found}


def _check_own_code(questionnaire: Mapping[str, object], instrument: Instrument) -> None:
    for coding in _codings(questionnaire.get("code"), "Questionnaire.code"):
        for other in INSTRUMENTS.values():
            if other.id != instrument.id and _same(coding, other.codes.panel):
                raise ClinicalError(f"This Questionnaire is coded as {other.name}, not {instrument.name}.")


def _walk(items: object, where: str) -> Iterator[Mapping[str, object]]:
    """Yield every item, depth first, including those nested in groups."""
    if items is None:
        return
    if not isinstance(items, list):
        raise ClinicalError(f"{where} must be a list.")
    for q_item in items:
        if not isinstance(q_item, Mapping):
            raise ClinicalError(f"{where} must hold objects.")
        yield q_item
        yield from _walk(q_item.get("item"), f"{where}.item")


def _matches(q_item: Mapping[str, object], instrument: Instrument) -> list[Item]:
    link_id = q_item.get("linkId")
    codings = list(_codings(q_item.get("code"), f"item {link_id!r} code"))
    matched = [
        item
        for item in instrument.items
        if item.id == link_id or (item.code is not None and any(_same(c, item.code) for c in codings))
    ]
    if len(matched) > 1:
        ids = ", ".join(i.id for i in matched)
        raise ClinicalError(f"Questionnaire item {link_id!r} matches several items: {ids}.")
    return matched


def _record(found: dict[str, str], item: Item, q_item: Mapping[str, object]) -> None:
    link_id = q_item.get("linkId")
    if item.id in found:
        raise ClinicalError(f"Item {item.id} is matched twice in the Questionnaire.")
    text = q_item.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ClinicalError(f"Questionnaire item {link_id!r} matches {item.id} but has no text.")
    found[item.id] = text.strip()


def _codings(raw: object, where: str) -> Iterator[Coding]:
    """Yield Codings from a FHIR Coding list; a coding without system matches any system."""
    if raw is None:
        return
    if not isinstance(raw, list):
        raise ClinicalError(f"{where} must be a list of codings.")
    for entry in raw:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("code"), str):
            raise ClinicalError(f"{where} holds a coding without a code.")
        system = entry.get("system")
        yield Coding(system if isinstance(system, str) else "", str(entry["code"]), "")


def _same(coding: Coding, ours: Coding) -> bool:
    return coding.code == ours.code and coding.system in ("", ours.system)
