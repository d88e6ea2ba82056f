"""Each vocabulary is declared once: Django choices and API literals carry exactly the kernel enum's values."""

import importlib
from enum import Enum
from typing import get_args

import pytest
from django.db import models

from clinical import dosing, eligibility, session_flow
from clinical.ledger import entries, inventories
from courses.choices import WeightBasis
from infusions.choices import IN_PROGRESS, SessionState
from inventory.choices import EntryKind, InventoryKind
from ketacare import api as _api  # noqa: F401 (loads every app's API first, as the URLconf does)
from patients.choices import ScreeningOutcome, Sex, TreatmentKind, TreatmentOutcome
from toolkit.vocab import kernel_choices, literal_of

# (Django choices, kernel enum, kernel values the app leaves out, app-only values)
DERIVED = [
    (SessionState, session_flow.SessionState, set(), {"cancelled", "no_show"}),
    (EntryKind, entries.EntryKind, {"return"}, set()),
    (InventoryKind, inventories.InventoryKind, set(), set()),
    (WeightBasis, dosing.WeightBasis, set(), set()),
    (Sex, dosing.Sex, set(), set()),
    (TreatmentKind, eligibility.TrialKind, set(), set()),
    (TreatmentOutcome, eligibility.TrialOutcome, set(), set()),
    (ScreeningOutcome, eligibility.ScreeningOutcome, set(), set()),
]


@pytest.mark.parametrize(("choices", "kernel", "omitted", "extra"), DERIVED, ids=lambda v: getattr(v, "__name__", ""))
def test_the_django_choices_equal_the_kernel_enum_values(choices, kernel, omitted, extra):
    assert set(choices.values) == {m.value for m in kernel} - omitted | extra
    assert issubclass(choices, models.TextChoices)
    for member in kernel:
        if member.value not in omitted:
            assert choices[member.name].value == member.value  # same member names too


def test_in_progress_is_the_kernels_in_clinic_states():
    assert [s.value for s in IN_PROGRESS] == [s.value for s in session_flow.IN_CLINIC_STATES]
    assert not {s.value for s in session_flow.TERMINAL_STATES} & {s.value for s in IN_PROGRESS}


@pytest.mark.parametrize(("module", "schema", "field", "choices"), [
    ("patients.api", "PatientIn", "sex", Sex),
    ("patients.api", "TreatmentIn", "kind", TreatmentKind),
    ("courses.api", "ProtocolIn", "weight_basis", WeightBasis),
])
def test_the_api_literal_lists_the_choices_values(module, schema, field, choices):
    annotation = getattr(importlib.import_module(module), schema).model_fields[field].annotation
    assert get_args(annotation) == tuple(choices.values)


def test_the_api_chair_actions_are_kernel_actions():
    kernel = {a.value for a in session_flow.Action}
    assert set(get_args(importlib.import_module("infusions.api").ChairAction)) <= kernel


class Colour(Enum):
    RED = "red"
    BLUE = "blue"


def test_a_kernel_value_without_a_label_fails_at_import():
    with pytest.raises(ValueError, match=r"\['blue'\].*need a label"):
        kernel_choices("Colour", Colour, {"red": "Red"})


def test_a_label_for_a_value_the_kernel_lacks_fails_at_import():
    with pytest.raises(ValueError, match="not values of Colour"):
        kernel_choices("Colour", Colour, {"red": "Red", "blue": "Blue", "green": "Green"})


def test_choices_follow_the_label_order_and_may_add_app_values():
    built = kernel_choices("Colour", Colour, {"blue": "Blue", "red": "Red"}, extra={"NONE": ("none", "None")})
    assert built.choices == [("blue", "Blue"), ("red", "Red"), ("none", "None")]
    assert built.RED == "red" and built.RED.label == "Red"


def test_a_literal_is_built_from_values_or_members():
    assert get_args(literal_of(Colour)) == ("red", "blue")
    assert get_args(literal_of(["a"])) == ("a",)
    with pytest.raises(ValueError):
        literal_of([])
