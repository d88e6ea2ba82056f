"""The listener's session cache: the same match as the database, refreshed on state changes and after its TTL."""

from datetime import UTC, datetime, timedelta

import pytest

from accounts.choices import Role
from clinical.hl7 import parse_oru
from infusions import services as infusions
from infusions.models import SessionEvent
from infusions.signals import session_state_changed
from infusions.tests.helpers import booked, check_in, infusing, t0
from interop.hl7.cache import SessionCache
from interop.hl7.services import NotFiled, match_session
from ketacare.testing import make_chair

from .mllp_helpers import oru

pytestmark = pytest.mark.django_db(transaction=True)


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def parsed(session, **kw):
    return parse_oru(oru(session, "X", **kw), default_tz=UTC)


def test_the_cache_matches_the_session_the_database_matches(world):
    session = infusing(world, t0(2))
    cache = SessionCache(world.a)
    cache.refresh()
    assert cache.match(parsed(session)).pk == match_session(world.a, parsed(session)).pk == session.pk
    assert cache.match(parsed(session, mrn="NOBODY")) is None  # a miss: the database answers
    cache.close()


def test_a_chair_that_contradicts_the_patient_is_refused_from_the_cache_too(world):
    session = infusing(world, t0(2))
    make_chair(world, name="Chair 9")
    cache = SessionCache(world.a)
    cache.refresh()
    wrong = parse_oru(oru(session, "X").replace(session.chair.name, "Chair 9"), default_tz=UTC)
    for match in (cache.match, lambda p: match_session(world.a, p)):
        with pytest.raises(NotFiled, match="not the chair"):
            match(wrong)
    cache.close()


def test_a_check_in_in_this_process_reloads_the_cache(world):
    clock = Clock()
    cache = SessionCache(world.a, ttl_s=60, clock=clock)
    cache.refresh()
    loads = cache.loads
    cache.refresh()
    assert cache.loads == loads  # nothing changed: no reload
    session = check_in(world, booked(world, t0(1)), at=t0(1))
    cache.refresh()
    assert cache.loads == loads + 1 and cache.match(parsed(session)).pk == session.pk
    cache.close()


def test_a_state_change_in_another_process_reloads_the_cache_by_its_version(world):
    cache = SessionCache(world.a, ttl_s=60, clock=Clock())
    session_state_changed.disconnect(dispatch_uid=f"hl7-cache-{id(cache)}")  # as if the change came from elsewhere
    cache.refresh()
    loads = cache.loads
    session = infusing(world, t0(2))
    assert SessionEvent.objects.filter(session=session).exists()
    cache.refresh()
    assert cache.loads == loads + 1 and cache.match(parsed(session)).pk == session.pk


def test_the_cache_reloads_after_its_ttl(world):
    clock = Clock()
    cache = SessionCache(world.a, ttl_s=5, clock=clock)
    cache.refresh()
    loads = cache.loads
    clock.now = 4.9
    cache.refresh()
    assert cache.loads == loads
    clock.now = 5.1
    cache.refresh()
    assert cache.loads == loads + 1
    cache.close()


def test_a_session_that_ends_leaves_the_cache(world):
    session = infusing(world, t0(2))
    cache = SessionCache(world.a)
    cache.refresh()
    assert cache.match(parsed(session)) is not None
    nurse = world.users[Role.NURSE]
    infusions.transfer(session=session, reason="Chest pain: sent to the emergency department",
                       at=datetime.now(UTC) - timedelta(minutes=1), by=nurse)
    cache.refresh()
    assert cache.match(parsed(session)) is None
    cache.close()
