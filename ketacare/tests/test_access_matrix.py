"""Generated from the URL configuration: every route x every role, and clinic isolation.

The demo clinic is built once for this module (inside a transaction rolled back at the end);
clinic B gets one user per role. For every page and API operation:
- it declares its roles (an undeclared route fails here);
- an allowed role never gets 403 or 500; any other role gets 403;
- anonymous visitors are sent to sign in (API: 401), except on public routes;
- a user of clinic B with an allowed role gets 404 for clinic A's object.
"""

import pytest
from django.test import Client

from accounts import services as accounts
from accounts.access import URL_SAMPLES
from accounts.choices import Role
from ketacare.testing import SECOND_FACTOR_ROLES, demo_rolled_back, enrol

from .routes import Route, api_routes, page_routes

ROLES = list(Role.values)
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The small demo clinic (A) plus clinic B, built once, rolled back after the module."""
    with demo_rolled_back(django_db_blocker, small=True) as ctx:
        b = accounts.create_clinic(name="Clinic B", slug="clinic-b", by="test")
        b_users = {r: accounts.create_staff(clinic=b, username=f"b_{r}", password="synthetic-staff-pw", role=r, by="test") for r in ROLES}
        for role in SECOND_FACTOR_ROLES:  # clinic B keeps the default policy: these roles must have a second factor
            enrol(b_users[role])
        tokens = {r: accounts.issue_token(user=ctx.users[r], clinic=ctx.clinic, name="matrix", by="test") for r in ROLES}
        b_tokens = {r: accounts.issue_token(user=b_users[r], clinic=b, name="matrix", by="test") for r in ROLES}
        yield {"a": ctx.clinic, "users": ctx.users, "b_users": b_users, "tokens": tokens, "b_tokens": b_tokens}


PAGES = page_routes()
APIS = api_routes()


def _fill(route: Route, clinic) -> str | None:
    path = route.path_template
    for kwarg in route.kwargs:
        finder = URL_SAMPLES.get(kwarg)
        assert finder is not None, f"{route.name}: register_url_sample({kwarg!r}, ...) in its urls.py"
        value = finder(clinic)
        if value is None:
            return None
        path = path.replace(f"<int:{kwarg}>", str(value)).replace(f"<str:{kwarg}>", str(value))
        path = path.replace(f"<{kwarg}>", str(value)).replace(f"{{{kwarg}}}", str(value))
    return path


def _client(user=None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def _call(client: Client, method: str, url: str, **extra):
    if method == "GET":
        return client.get(url, **extra)
    return client.generic(method, url, data=b"{}" if url.startswith("/api") else b"",
                          content_type="application/json" if url.startswith("/api") else "application/x-www-form-urlencoded", **extra)


def test_every_route_declares_who_may_use_it():
    undeclared = [r.name for r in PAGES + APIS if r.roles is None]
    assert not undeclared, f"routes without @allow/@public/@api_allow: {undeclared}"


def test_every_route_names_a_permission_of_the_table():
    from accounts.access import PUBLIC, SIGNED_IN
    from accounts.permissions import Perm

    known = {p.value for p in Perm} | {PUBLIC, SIGNED_IN}
    strays = [(r.name, r.permission) for r in PAGES + APIS if r.permission not in known]
    assert not strays, f"routes declaring something other than a Perm: {strays}"


def test_every_route_takes_at_most_one_object():
    crowded = [r.name for r in PAGES + APIS if len(r.object_kwargs) > 1]
    assert not crowded, f"routes with several object kwargs (scope one object per URL): {crowded}"


@pytest.mark.parametrize("route", PAGES, ids=lambda r: r.name)
def test_page_route_roles(route: Route, demo):
    if route.roles is None:
        pytest.fail("undeclared route")
    url = _fill(route, demo["a"])
    if url is None:
        pytest.fail(f"the small demo has no sample object for {route.kwargs}: extend the demo")
    for method in route.methods:
        anon = _call(_client(), method, url)
        if route.public:
            assert anon.status_code < 500, (method, url, anon.status_code)
        else:
            assert anon.status_code == 302 and "/accounts/sign-in/" in anon["Location"], (method, url, anon.status_code)
        for role in ROLES:
            response = _call(_client(demo["users"][role]), method, url)
            if route.allows(role):
                assert response.status_code not in (403, 500), (role, method, url, response.status_code)
                if route.name != "accounts:logout":  # signing out sends you to the sign-in page
                    assert "/accounts/sign-in/" not in response.get("Location", ""), (role, method, url)
            else:
                assert response.status_code == 403, (role, method, url, response.status_code)


@pytest.mark.parametrize("route", [r for r in PAGES if r.object_kwargs and r.roles], ids=lambda r: r.name)
def test_other_clinic_gets_404_for_every_page_object(route: Route, demo):
    url = _fill(route, demo["a"])
    if url is None:
        pytest.fail(f"the small demo has no sample object for {route.kwargs}: extend the demo")
    roles = [r for r in ROLES if route.allows(r)]
    for method in route.methods:
        for role in roles:
            response = _call(_client(demo["b_users"][role]), method, url)
            assert response.status_code == 404, (role, method, url, response.status_code)


@pytest.mark.parametrize("route", APIS, ids=lambda r: r.name)
def test_api_route_roles(route: Route, demo):
    url = _fill(route, demo["a"])
    if url is None:
        pytest.fail(f"the small demo has no sample object for {route.kwargs}: extend the demo")
    method = route.methods[0]
    assert _call(_client(), method, url).status_code == 401
    for role in ROLES:
        response = _call(_client(), method, url, HTTP_AUTHORIZATION=f"Bearer {demo['tokens'][role]}")
        if route.allows(role):
            assert response.status_code not in (401, 403, 500), (role, method, url, response.status_code, response.content[:200])
        else:
            assert response.status_code == 403, (role, method, url, response.status_code)


@pytest.mark.parametrize("route", [r for r in APIS if r.object_kwargs], ids=lambda r: r.name)
def test_other_clinic_gets_404_for_every_api_object(route: Route, demo):
    url = _fill(route, demo["a"])
    if url is None:
        pytest.fail(f"the small demo has no sample object for {route.kwargs}: extend the demo")
    method = route.methods[0]
    for role in [r for r in ROLES if route.allows(r)]:
        response = _call(_client(), method, url, HTTP_AUTHORIZATION=f"Bearer {demo['b_tokens'][role]}")
        assert response.status_code == 404, (role, method, url, response.status_code)


def test_every_api_path_object_is_scoped_before_the_body_is_read():
    from ketacare.api import PATH_OBJECTS

    missing = sorted({k for r in APIS for k in r.object_kwargs} - set(PATH_OBJECTS))
    assert missing == [], f"add these API path parameters to ketacare.api.PATH_OBJECTS: {missing}"
