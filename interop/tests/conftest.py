"""Fixtures of the interop tests."""

import pytest

from ketacare.testing import make_course


@pytest.fixture(autouse=True)
def _registered_senders(request):
    """Both clinics accept the simulated monitors (tests of the sender allowlist retire or add their own)."""
    if "world" in request.fixturenames:
        from datetime import UTC, datetime

        from interop.services import default_sender

        world = request.getfixturevalue("world")
        for clinic in (world.a, world.b):
            default_sender(clinic, at=datetime.now(UTC), by="test")


@pytest.fixture
def patient(world):
    """A patient of clinic A with a course."""
    return make_course(world).patient
