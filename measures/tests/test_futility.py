"""The futility review prompt follows the outcome instruments, PCL-5 and the clinic's secondary, never CADSS (issue 10)."""

from types import SimpleNamespace

import pytest

from clinical.instruments import INSTRUMENTS
from measures.policy import futility_outcomes
from measures.progress import CourseProgress, InstrumentProgress, course_progress

from .conftest import set_policy

pytestmark = pytest.mark.django_db


def no_response(instrument_id):
    return InstrumentProgress(INSTRUMENTS[instrument_id], rows=[], outcome=SimpleNamespace(review_prompt=True))


def progress_of(clinic, *instrument_ids):
    cp = CourseProgress(course=None, infusions=[], definitions=None, cutpoint=33, futility_on=futility_outcomes(clinic))
    cp.instruments = [no_response(i) for i in instrument_ids]
    return cp


def test_no_response_on_cadss_or_gad7_alone_never_prompts_a_review(world):
    assert progress_of(world.a, "cadss", "gad7", "iesr").review_prompts == []


def test_no_response_on_pcl5_or_the_default_secondary_prompts_it(world):
    assert futility_outcomes(world.a) == ("pcl5", "phq9")
    cp = progress_of(world.a, "cadss", "pcl5", "phq9", "madrs")
    assert [i.short for i in cp.review_prompts] == ["PCL-5", "PHQ-9"]


def test_the_secondary_is_the_clinics_choice(world):
    set_policy(world, world.a, measures_secondary_outcome="madrs")
    cp = progress_of(world.a, "phq9", "madrs", "cadss")
    assert [i.short for i in cp.review_prompts] == ["MADRS"]


def test_cadss_cannot_be_chosen_as_the_secondary(world):
    from accounts.services import update_policy

    errors = update_policy(clinic=world.a, values={"measures_secondary_outcome": "cadss"}, by=world.clinic_admin)
    assert "measures_secondary_outcome" in errors
    assert futility_outcomes(world.a) == ("pcl5", "phq9")


def test_course_progress_carries_the_clinics_futility_instruments(world, course):
    assert course_progress(course).futility_on == ("pcl5", "phq9")
