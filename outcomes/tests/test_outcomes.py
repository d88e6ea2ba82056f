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


def test_researcher_export_has_no_names_mrns_or_dates(client_for, world):
    from ketacare.testing import make_course

    make_course(world)
    response = client_for("researcher").get("/outcomes/export.csv")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.splitlines()[0].startswith("pseudo_id,status,start_year,age_band")
    assert "Synthetic" not in body and "T-0001" not in body
