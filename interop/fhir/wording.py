"""Read official item wording from a FHIR R4 Questionnaire and store it through measures (ADR 0006).

The resource is validated with fhir.resources (R4B models, wire-compatible with R4 for
Questionnaire); the kernel matches its items to ours by code or linkId. Every required item
of the instrument must get wording, so patients never see a mix of sources.
"""

import hashlib
from dataclasses import dataclass
from typing import Any

from fhir.resources.R4B.questionnaire import Questionnaire
from pydantic import ValidationError

from clinical.errors import ClinicalError
from clinical.instruments import INSTRUMENTS, Instrument, get_instrument, wording_from_questionnaire
from measures import services as measures
from measures.models import InstrumentWording
from toolkit.errors import ServiceError


@dataclass(frozen=True)
class Wording:
    instrument: Instrument
    items: dict[str, str]
    title: str
    url: str
    version: str
    copyright: str


def validate_fhir(data: Any) -> Questionnaire:
    """Return the Questionnaire model, or refuse with the first problems fhir.resources found."""
    if not isinstance(data, dict) or data.get("resourceType") != "Questionnaire":
        raise ServiceError("The file is not a FHIR Questionnaire (resourceType must be \"Questionnaire\").")
    try:
        return Questionnaire.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:3])
        raise ServiceError(f"The Questionnaire is not valid FHIR R4: {problems}.") from None


def detect_instrument(data: dict[str, Any]) -> Instrument:
    """Find the instrument by the Questionnaire's code, else by which instrument its items fit."""
    for coding in data.get("code") or []:
        for instrument in INSTRUMENTS.values():
            panel = instrument.codes.panel
            if coding.get("code") == panel.code and coding.get("system") in (None, panel.system):
                return instrument
    fitting = [i for i in INSTRUMENTS.values() if not _missing(i, _try(data, i))]
    if len(fitting) == 1:
        return fitting[0]
    raise ServiceError("Cannot tell which instrument this Questionnaire is: give it with --instrument "
                       f"({', '.join(INSTRUMENTS)}).")


def _try(data: dict[str, Any], instrument: Instrument) -> dict[str, str]:
    try:
        return wording_from_questionnaire(data, instrument)
    except ClinicalError:
        return {}


def _missing(instrument: Instrument, found: dict[str, str]) -> list[str]:
    return [item.id for item in instrument.items if item.required and item.id not in found]


def read_wording(data: Any, instrument_id: str | None = None) -> Wording:
    """Validate the Questionnaire and return the wording of every item, or refuse with a clear message."""
    questionnaire = validate_fhir(data)
    try:
        instrument = get_instrument(instrument_id) if instrument_id else detect_instrument(data)
        items = wording_from_questionnaire(data, instrument)
    except ClinicalError as exc:
        raise ServiceError(str(exc)) from None
    missing = _missing(instrument, items)
    if missing:
        raise ServiceError(f"The Questionnaire gives no wording for {len(missing)} item(s) of {instrument.name}: "
                           f"{', '.join(missing[:8])}{' ...' if len(missing) > 8 else ''}. Nothing was imported.")
    too_long = [k for k, v in items.items() if len(v) > 1000]
    if too_long:
        raise ServiceError(f"Item wording over 1000 characters for {too_long[0]}; is this the right file?")
    return Wording(instrument, items, str(questionnaire.title or questionnaire.name or ""), str(questionnaire.url or ""),
                   str(questionnaire.version or ""), str(questionnaire.copyright or ""))


def import_wording(*, data: Any, raw: bytes, instrument_id: str | None = None, clinic: Any = None,
                   by: Any) -> InstrumentWording:
    """Load official item wording from a FHIR Questionnaire for one clinic or (clinic None) all; refuse a misfit."""
    found = read_wording(data, instrument_id)
    return measures.save_wording(instrument_id=found.instrument.id, items=found.items, title=found.title, url=found.url,
                                 version=found.version, copyright=found.copyright,
                                 source_sha256=hashlib.sha256(raw).hexdigest(), clinic=clinic, by=by)
