"""Project-wide pytest fixtures: personas, signed-in clients, the browser."""

import os

import pytest

os.environ.setdefault("KETACARE_FAST_HASHER", "true")


@pytest.fixture
def world(db):
    from ketacare.testing import build_world

    return build_world()


@pytest.fixture
def client_for(client, world):
    """Return a test client signed in as the user of clinic A with `role` (or a given user)."""
    from django.test import Client

    def make(role_or_user):
        user = world.users[role_or_user] if isinstance(role_or_user, str) else role_or_user
        c = Client()
        c.force_login(user)
        return c

    return make
