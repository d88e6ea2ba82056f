"""AuditEvent (the FHIR API's own reads and writes) and Group (the clinic's cohorts) through the FHIR API."""

import pytest
from django.test import Client

from accounts import services as accounts
from courses.models import TreatmentCourse
from ketacare.testing import enrol
from patients.models import Patient

from .fhir_checks import assert_valid
from .fhir_demo import add_fhir_extras

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from ketacare.testing import demo_rolled_back

    with demo_rolled_back(django_db_blocker, small=True) as ctx:
        extras = add_fhir_extras(ctx)
        tokens = {r: accounts.issue_token(user=ctx.users[r], clinic=ctx.clinic, name="fhir", by="test")
                  for r in ("nurse", "clinic_admin")}
        yield {"ctx": ctx, "tokens": tokens, "patient": Patient.objects.get(clinic=ctx.clinic, mrn="DEMO-0001"), **extras}


def fhir(demo, url, role="nurse", token=None):
    response = Client().get(url, HTTP_AUTHORIZATION=f"Bearer {token or demo['tokens'][role]}")
    return response.status_code, response.json()


def test_a_fhir_read_is_served_back_as_an_audit_event_to_the_clinic_admin(demo):
    other = Patient.objects.filter(clinic=demo["ctx"].clinic).exclude(pk=demo["patient"].pk).first()
    assert fhir(demo, f"/fhir/Patient/{other.pk}")[0] == 200
    status, bundle = fhir(demo, f"/fhir/AuditEvent?patient={other.pk}", role="clinic_admin")
    assert status == 200
    events = [e["resource"] for e in bundle["entry"]]
    read = next(e for e in events if e["subtype"][0]["code"] == "read")
    assert_valid(read)
    assert read["action"] == "R" and read["agent"][0]["who"]["reference"] == f"Practitioner/{demo['ctx'].users['nurse'].pk}"
    assert {"reference": f"Patient/{other.pk}"} in [e.get("what") for e in read["entity"]]
    status, same = fhir(demo, f"/fhir/AuditEvent/{read['id']}", role="clinic_admin")
    assert status == 200 and same["id"] == read["id"]
    status, dated = fhir(demo, "/fhir/AuditEvent?date=lt2000-01-01", role="clinic_admin")
    assert status == 200 and dated.get("entry", []) == []


def test_the_audit_log_is_not_served_to_staff_without_the_audit_permission(demo):
    status, outcome = fhir(demo, "/fhir/AuditEvent")
    assert status == 403 and outcome["resourceType"] == "OperationOutcome"


def test_audit_events_stay_out_of_the_patient_compartment(demo):
    pk = demo["patient"].pk
    assert fhir(demo, f"/fhir/Patient/{pk}")[0] == 200  # so the patient has an AuditEvent that could leak in
    assert fhir(demo, f"/fhir/AuditEvent?patient={pk}", role="clinic_admin")[1].get("entry")
    status, bundle = fhir(demo, f"/fhir/Patient/{pk}/$everything", role="clinic_admin")
    assert status == 200
    assert "AuditEvent" not in {e["resource"]["resourceType"] for e in bundle["entry"]}


def test_another_clinics_audit_events_and_groups_are_not_found(demo):
    admin_b = accounts.create_staff(clinic=demo["b"], username="b_admin_fhir", password="synthetic-staff-pw", role="clinic_admin",
                                    by="test")
    enrol(admin_b)  # clinic B keeps the default policy: a clinic admin has a second factor
    token_b = accounts.issue_token(user=admin_b, clinic=demo["b"], name="fhir", by="test")
    _, bundle = fhir(demo, "/fhir/AuditEvent", role="clinic_admin")
    a_event = bundle["entry"][0]["resource"]["id"]
    assert fhir(demo, f"/fhir/AuditEvent/{a_event}", token=token_b)[0] == 404
    status, group = fhir(demo, "/fhir/Group/all-patients", token=token_b)
    assert status == 200 and group["quantity"] == Patient.objects.filter(clinic=demo["b"]).count()
    assert {m["entity"]["reference"] for m in group["member"]} == {f"Patient/{demo['b_patient'].pk}"}


def test_each_cohort_is_a_group_listing_its_members(demo):
    clinic = demo["ctx"].clinic
    status, group = fhir(demo, "/fhir/Group/active-course")
    assert status == 200
    assert_valid(group)
    active = set(TreatmentCourse.objects.filter(clinic=clinic, status="active").values_list("patient_id", flat=True))
    assert {m["entity"]["reference"] for m in group["member"]} == {f"Patient/{pk}" for pk in active}
    assert group["quantity"] == len(active) and group["type"] == "person" and group["actual"] is True
    status, bundle = fhir(demo, "/fhir/Group")
    assert status == 200 and {e["resource"]["id"] for e in bundle["entry"]} == {"all-patients", "active-course",
                                                                                "completed-course"}
    assert fhir(demo, "/fhir/Group/no-such-cohort")[0] == 404
