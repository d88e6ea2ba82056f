"""Every page and API list asks the database a bounded number of queries, however much the clinic holds.

The clinic is built by the bulk generator (`ketacare demo --patients N`): 200 patients with
courses, sessions, vitals and assessments. Each page is asked once at that size under
`django_assert_max_num_queries`, then again after 60 more patients: the count must not grow.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from infusions.models import InfusionSession
from ketacare.synthetic import add_patients
from patients.models import Patient

pytestmark = pytest.mark.django_db

PAGES = {  # name -> (role, url maker, most queries allowed)
    "dashboard": ("prescriber", lambda c: "/", 45),
    "chart": ("prescriber", lambda c: f"/patients/{c.patient.pk}/", 60),
    "session screen": ("nurse", lambda c: f"/infusions/sessions/{c.session.pk}/", 60),
    "patient list": ("front_desk", lambda c: "/patients/", 20),
    "patient list, page 3": ("front_desk", lambda c: "/patients/?page=3", 20),
    "/api/patients/": ("nurse", lambda c: "/api/patients/", 15),
    "/api/patients/ page 2": ("nurse", lambda c: "/api/patients/?page=2&page_size=50", 15),
    "alerts": ("nurse", lambda c: "/alerts/", 25),
    "inventory dashboard": ("inventory_officer", lambda c: "/inventory/", 30),
    "outcome report": ("researcher", lambda c: "/outcomes/", 40),
}


class Clinic:
    def __init__(self, world):
        self.world = world
        self.patient = Patient.objects.in_clinic(world.a).order_by("pk").last()
        self.session = InfusionSession.objects.in_clinic(world.a).filter(state="discharged").order_by("pk").last()


@pytest.fixture
def large(world):
    add_patients(world.a, world.users, 200, seed=4, stream=None)
    return Clinic(world)


def count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries)


@pytest.mark.parametrize("name", list(PAGES))
def test_the_page_asks_a_bounded_number_of_queries(large, client_for, django_assert_max_num_queries, name):
    role, url, most = PAGES[name]
    client = client_for(role)
    client.get(url(large))  # the first view of a session writes its sign-in bookkeeping once
    with django_assert_max_num_queries(most):
        response = client.get(url(large))
    assert response.status_code == 200
    before = count(client, url(large))
    add_patients(large.world.a, large.world.users, 60, seed=5, stream=None)
    assert count(client, url(Clinic(large.world))) <= before
