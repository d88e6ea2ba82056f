"""Questionnaire (an instrument), QuestionnaireResponse and the score Observation of an assessment."""

from collections.abc import Mapping
from typing import Any

from clinical.instruments import INSTRUMENTS, Instrument

from .. import codes
from .common import coding, concept, instant, meta, prune, ref

SURVEY = concept(codes.OBS_CATEGORY, "survey", "Survey")


def _option(instrument: Instrument, item: Any, value: int) -> dict[str, str]:
    label = next((o.label for o in item.options if o.value == value), str(value))
    return coding(codes.local(f"answers-{instrument.id}"), str(value), label)


def _item(instrument: Instrument, item: Any, text: str) -> dict[str, Any]:
    enable = [{"question": c.item_id, "operator": "=",
               "answerCoding": _option(instrument, instrument.items[instrument.position(c.item_id)], c.answer)}
              for c in item.enable_when]
    return prune({
        "linkId": item.id, "code": [coding(item.code.system, item.code.code, item.code.display)] if item.code else [],
        "text": text, "type": "choice", "required": item.required, "enableWhen": enable,
        "enableBehavior": "all" if len(enable) > 1 else None,
        "answerOption": [{"valueCoding": _option(instrument, item, o.value)} for o in item.options],
    })


def questionnaire_resource(instrument: Instrument, wording: Any = None) -> dict[str, Any]:
    """Questionnaire: the instrument's structure with the project's labels, or the clinic's imported wording."""
    texts: Mapping[str, str] = wording.items if wording is not None else {}
    panel = instrument.codes.panel
    return prune({
        "resourceType": "Questionnaire", "id": instrument.id, "url": codes.questionnaire_url(instrument.id),
        "version": instrument.version, "name": "".join(ch for ch in instrument.id.upper() if ch.isalnum()),
        "title": instrument.name, "status": "active", "subjectType": ["Patient"],
        "code": [coding(panel.system, panel.code, panel.display)],
        "description": "Structure and scoring of this instrument with KetaCare's own short item labels."
        if wording is None else "Structure of this instrument with the wording the clinic imported.",
        "copyright": getattr(wording, "copyright", "") or None,
        "item": [_item(instrument, item, texts.get(item.id, item.label)) for item in instrument.items],
    })


def questionnaire_response_resource(assessment: Any) -> dict[str, Any]:
    """QuestionnaireResponse: the answers as given, linked to the instrument's Questionnaire."""
    instrument = INSTRUMENTS[assessment.instrument]
    values = list(assessment.items or [])
    answered = [(item, values[i]) for i, item in enumerate(instrument.items) if i < len(values) and values[i] is not None]
    by_patient = assessment.source == "patient_link"
    return prune({
        "resourceType": "QuestionnaireResponse", "id": str(assessment.pk), "meta": meta(assessment.created_at),
        "questionnaire": codes.questionnaire_url(instrument.id), "status": "completed" if assessment.complete else "in-progress",
        "subject": ref("Patient", assessment.patient_id), "authored": instant(assessment.assessed_at),
        "author": ref("Patient", assessment.patient_id) if by_patient or not assessment.entered_by_id
        else ref("Practitioner", assessment.entered_by_id),
        "source": ref("Patient", assessment.patient_id) if by_patient else None,
        "item": [{"linkId": item.id, "text": item.label, "answer": [{"valueCoding": _option(instrument, item, value)}]}
                 for item, value in answered],
    })


def total_code(instrument: Instrument) -> dict[str, Any]:
    """The LOINC total where one exists (CLINICAL.md s5), else the project's local code."""
    total = instrument.codes.total or instrument.codes.risk_level
    if total is not None:
        return concept(total.system, total.code, total.display, text=f"{instrument.name} score")
    return concept(codes.local("instrument-scores"), f"{instrument.id}-total", f"{instrument.name} total score",
                   text=f"{instrument.name} score")


def _value(instrument: Instrument, assessment: Any) -> dict[str, Any]:
    result = assessment.result or {}
    if assessment.total is not None:
        return {"valueInteger": int(assessment.total)}
    if result.get("risk_level"):
        return {"valueCodeableConcept": concept(codes.local("cssrs-risk"), str(result["risk_level"]), text=str(result["risk_level"]))}
    return {"dataAbsentReason": concept(codes.DATA_ABSENT, "not-applicable" if assessment.complete else "asked-declined",
                                        text="incomplete: no total" if not assessment.complete else "no total")}


def score_resource(assessment: Any) -> dict[str, Any]:
    """Observation (survey): the total (or risk level) the kernel scored, derived from the response."""
    instrument = INSTRUMENTS[assessment.instrument]
    band = (assessment.result or {}).get("band")
    return prune({
        "resourceType": "Observation", "id": f"score-{assessment.pk}", "meta": meta(assessment.created_at),
        "status": "final" if assessment.complete else "preliminary", "category": [SURVEY], "code": total_code(instrument),
        "subject": ref("Patient", assessment.patient_id), "effectiveDateTime": instant(assessment.assessed_at),
        **_value(instrument, assessment),
        "interpretation": [{"text": str(band)}] if band else [],
        "derivedFrom": [ref("QuestionnaireResponse", assessment.pk)],
    })
