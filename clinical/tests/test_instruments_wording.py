"""Importing official wording from a clinic's FHIR R4 Questionnaire (CLINICAL.md s4,
"Item wording"; DESIGN.md "Interop"). All texts here are synthetic placeholders.
"""

from typing import Any

import pytest

from clinical.errors import ClinicalError
from clinical.instruments import INSTRUMENTS, wording_from_questionnaire

LOINC = "http://loinc.org"
CSSRS_LOINC = ["93246-7", "93247-5", "93248-3", "93249-1", "93250-9", "93267-3", "93269-9"]


def questionnaire(items: list[dict[str, Any]], code: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    q: dict[str, Any] = {"resourceType": "Questionnaire", "status": "active", "item": items}
    if code is not None:
        q["code"] = code
    return q


def by_link(instrument_id: str) -> list[dict[str, Any]]:
    return [
        {"linkId": it.id, "type": "integer", "text": f"Synthetic text {n}"}
        for n, it in enumerate(INSTRUMENTS[instrument_id].items, 1)
    ]


@pytest.mark.parametrize("instrument_id", list(INSTRUMENTS))
def test_every_item_is_matched_by_link_id(instrument_id: str) -> None:
    instrument = INSTRUMENTS[instrument_id]
    wording = wording_from_questionnaire(questionnaire(by_link(instrument_id)), instrument)
    assert list(wording) == [it.id for it in instrument.items]
    assert wording[instrument.items[0].id] == "Synthetic text 1"


def test_cssrs_items_are_matched_by_loinc_code_under_foreign_link_ids() -> None:
    items = [
        {"linkId": f"/{code}", "text": f"Synthetic Q{n}", "code": [{"system": LOINC, "code": code}]}
        for n, code in enumerate(CSSRS_LOINC, 1)
    ]
    wording = wording_from_questionnaire(questionnaire(items), INSTRUMENTS["cssrs"])
    assert wording["cssrs-1"] == "Synthetic Q1"
    assert wording["cssrs-6-recent"] == "Synthetic Q7"
    assert len(wording) == 7


def test_items_nested_in_groups_are_found() -> None:
    inner = by_link("gad7")
    nested = [
        {"linkId": "g1", "type": "group", "text": "Part one", "item": inner[:3]},
        {"linkId": "g2", "type": "group", "item": [{"linkId": "g3", "type": "group", "item": inner[3:]}]},
    ]
    wording = wording_from_questionnaire(questionnaire(nested), INSTRUMENTS["gad7"])
    assert len(wording) == 7


def test_partial_match_returns_the_matched_items_in_instrument_order() -> None:
    items = by_link("phq9")[8:0:-4]  # items 9 and 5, in reverse
    wording = wording_from_questionnaire(questionnaire(items), INSTRUMENTS["phq9"])
    assert list(wording) == ["phq9-5", "phq9-9"]


def test_phq9_item_9_matches_by_its_loinc_code() -> None:
    items = [{"linkId": "/44260-8", "text": "Synthetic item nine", "code": [{"code": "44260-8"}]}]
    wording = wording_from_questionnaire(questionnaire(items), INSTRUMENTS["phq9"])
    assert wording == {"phq9-9": "Synthetic item nine"}


def test_own_panel_code_is_accepted() -> None:
    q = questionnaire(by_link("pcl5"), code=[{"system": LOINC, "code": "101697-1"}])
    assert len(wording_from_questionnaire(q, INSTRUMENTS["pcl5"])) == 20


def test_text_is_trimmed() -> None:
    items = [{"linkId": "gad7-1", "text": "  Synthetic  "}]
    assert wording_from_questionnaire(questionnaire(items), INSTRUMENTS["gad7"]) == {"gad7-1": "Synthetic"}


UNFIT = [
    ("no item matches", questionnaire(by_link("gad7")), "pcl5", "No item of this Questionnaire matches"),
    ("empty questionnaire", questionnaire([]), "gad7", "No item of this Questionnaire matches"),
    ("no item list at all", {"resourceType": "Questionnaire"}, "gad7", "No item"),
    (
        "an item matched twice by link id",
        questionnaire(by_link("gad7") + [{"linkId": "gad7-2", "text": "again"}]),
        "gad7",
        "gad7-2 is matched twice",
    ),
    (
        "an item matched by link id and by code",
        questionnaire(
            [
                {"linkId": "cssrs-1", "text": "a"},
                {"linkId": "x", "text": "b", "code": [{"system": LOINC, "code": "93246-7"}]},
            ]
        ),
        "cssrs",
        "cssrs-1 is matched twice",
    ),
    (
        "one questionnaire item matching two of ours",
        questionnaire([{"linkId": "cssrs-1", "text": "a", "code": [{"system": LOINC, "code": "93247-5"}]}]),
        "cssrs",
        "matches several items: cssrs-1, cssrs-2",
    ),
    (
        "coded as another instrument",
        questionnaire(by_link("pcl5"), code=[{"system": LOINC, "code": "44249-1"}]),
        "pcl5",
        "coded as Patient Health Questionnaire-9",
    ),
    (
        "coded as another instrument without system",
        questionnaire(by_link("gad7"), code=[{"code": "101697-1"}]),
        "gad7",
        "coded as PTSD Checklist",
    ),
    (
        "coded with a local code of another instrument",
        questionnaire(
            by_link("cadss"),
            code=[{"system": "https://ketacare.example/fhir/CodeSystem/instruments", "code": "madrs"}],
        ),
        "cadss",
        "coded as Montgomery",
    ),
    (
        "not a questionnaire",
        {"resourceType": "QuestionnaireResponse", "item": []},
        "gad7",
        "Expected a FHIR Questionnaire",
    ),
    (
        "matched item without text",
        questionnaire([{"linkId": "gad7-1", "type": "integer"}]),
        "gad7",
        "matches gad7-1 but has no text",
    ),
    (
        "matched item with blank text",
        questionnaire([{"linkId": "gad7-1", "text": "  "}]),
        "gad7",
        "has no text",
    ),
    (
        "item is not a list",
        {"resourceType": "Questionnaire", "item": {"linkId": "gad7-1"}},
        "gad7",
        "must be a list",
    ),
    (
        "item entry is not an object",
        {"resourceType": "Questionnaire", "item": ["gad7-1"]},
        "gad7",
        "must hold objects",
    ),
    (
        "coding without a code",
        questionnaire([{"linkId": "x", "code": [{"system": LOINC}]}]),
        "cssrs",
        "coding without a code",
    ),
    (
        "code is not a list",
        questionnaire([{"linkId": "x", "code": {"code": "93246-7"}}]),
        "cssrs",
        "must be a list of codings",
    ),
]


@pytest.mark.parametrize(("case", "q", "instrument_id", "message"), UNFIT, ids=[c[0] for c in UNFIT])
def test_unfit_questionnaire_is_refused(
    case: str, q: dict[str, Any], instrument_id: str, message: str
) -> None:
    with pytest.raises(ClinicalError, match=message):
        wording_from_questionnaire(q, INSTRUMENTS[instrument_id])


def test_same_code_in_another_system_does_not_match() -> None:
    items = [{"linkId": "x", "text": "t", "code": [{"system": "http://snomed.info/sct", "code": "93246-7"}]}]
    with pytest.raises(ClinicalError, match="No item"):
        wording_from_questionnaire(questionnaire(items), INSTRUMENTS["cssrs"])


def test_the_questionnaire_is_not_modified() -> None:
    q = questionnaire(by_link("gad7"))
    before = repr(q)
    wording_from_questionnaire(q, INSTRUMENTS["gad7"])
    assert repr(q) == before
