"""Outcome report: de-identification rules and access."""

from datetime import date

import pytest

from outcomes.queries import age_band, pseudo_id

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("born", "on", "band"), [
    (date(1990, 6, 1), date(2026, 5, 31), "30-39"), (date(1990, 6, 1), date(2026, 6, 1), "30-39"),
    (date(1936, 1, 1), date(2026, 1, 1), "90+"), (date(1936, 1, 2), date(2026, 1, 1), "80-89"),
])
def test_age_bands_group_ages_over_89_as_90_plus(born, on, band):
    assert age_band(born, on) == band


def test_pseudo_ids_are_stable_and_do_not_show_the_course_id():
    assert pseudo_id(12) == pseudo_id(12) != pseudo_id(13)
    assert pseudo_id(12).startswith("C-") and len(pseudo_id(12)) == 10
    assert all(str(n) not in pseudo_id(n) for n in (12, 345, 6789))


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from ketacare.testing import demo_rolled_back

    with demo_rolled_back(django_db_blocker, small=True) as ctx:
        yield ctx


def test_researcher_export_has_rows_but_no_names_mrns_or_dates(demo):
    from django.test import Client

    client = Client()
    client.force_login(demo.users["researcher"])
    response = client.get("/outcomes/export.csv")
    assert response.status_code == 200
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("pseudo_id,status,start_year,age_band")
    assert len(lines) >= 3  # the small demo's finished and follow-up courses have PCL-5 follow-up
    body = "\n".join(lines)
    for dp in demo.patients:
        assert dp.patient.mrn not in body and dp.patient.family_name not in body
        assert dp.patient.date_of_birth.isoformat() not in body
    assert not any(c.isdigit() and "-" in c and len(c) == 10 for line in lines[1:] for c in line.split(","))


def test_report_states_the_definitions_and_hides_course_links_from_researchers(demo):
    from django.test import Client

    researcher, prescriber = Client(), Client()
    researcher.force_login(demo.users["researcher"])
    prescriber.force_login(demo.users["prescriber"])
    page = researcher.get("/outcomes/").content.decode()
    assert "Definitions in force: Response: &gt;= 30% reduction" in page
    assert "/courses/" not in page
    assert "/courses/" in prescriber.get("/outcomes/").content.decode()
