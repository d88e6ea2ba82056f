"""Fixtures of the interop tests."""

import pytest

from ketacare.testing import make_course


@pytest.fixture
def patient(world):
    """A patient of clinic A with a course."""
    return make_course(world).patient
