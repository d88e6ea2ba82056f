"""Settings checked as a whole before saving (issue 14 item 5): refused by the form and the API alike, nothing written."""

import pytest

from accounts import services
from accounts.models import Clinic
from audit.models import AuditEvent
from ketacare.testing import api_caller, make_patient

pytestmark = pytest.mark.django_db

BOTH = {"absolute_contraindications": ["pregnancy: Pregnancy", "psychosis: Psychotic disorder"],
        "relative_contraindications": ["psychosis: Psychosis history"]}


def _policy_events(world):
    return AuditEvent.objects.filter(clinic=world.a, action="policy_update").count()


def test_a_contraindication_in_both_lists_is_refused_by_the_settings_form_and_nothing_is_written(client_for, world):
    response = client_for("clinic_admin").post("/accounts/settings/", BOTH)
    assert response.status_code == 400
    assert "psychosis cannot be both absolute and relative" in response.content.decode()
    assert Clinic.objects.get(pk=world.a.pk).policy == {} and _policy_events(world) == 0


def test_a_contraindication_in_both_lists_is_refused_by_the_api_and_nothing_is_written(world):
    body = {k: "\n".join(v) for k, v in BOTH.items()}
    response = api_caller(world.clinic_admin, world.a)("PATCH", "/accounts/policy", body)
    assert response.status_code in (400, 422)
    assert "both absolute and relative" in response.content.decode()
    assert Clinic.objects.get(pk=world.a.pk).policy == {} and _policy_events(world) == 0


def test_moving_a_default_relative_code_into_the_absolute_list_alone_is_refused_on_the_changed_setting(world):
    from clinical.eligibility import DEFAULT_RELATIVE

    code = DEFAULT_RELATIVE[0].code
    errors = services.update_policy(clinic=world.a, values={"absolute_contraindications": f"{code}: moved"},
                                    by=world.clinic_admin)
    assert list(errors) == ["absolute_contraindications"]
    assert Clinic.objects.get(pk=world.a.pk).policy == {}


def test_the_screening_page_explains_contradictory_settings_saved_before_the_check_instead_of_a_500(client_for, world):
    patient = make_patient(world)
    Clinic.objects.filter(pk=world.a.pk).update(policy=BOTH)  # as stored by an older release
    response = client_for("prescriber").get(f"/patients/{patient.pk}/screening/")
    assert response.status_code == 409
    assert "contradict each other" in response.content.decode()
