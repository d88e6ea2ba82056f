"""Real FHIR clients against a live server: fhirpy (search, paging, includes) and fhirclient 4.x (strict R4 models)."""

import pytest

from accounts import services as accounts
from patients.models import Patient

pytestmark = pytest.mark.usefixtures("transactional_db")


def _demo():
    from ketacare.demo import build_apps
    from ketacare.management.commands.demo import Command

    ctx = Command()._context(7, lambda message: None)
    ctx.small = True
    build_apps(ctx)
    return ctx


@pytest.fixture
def served(live_server):
    from .fhir_demo import add_fhir_extras

    ctx = _demo()
    extras = add_fhir_extras(ctx)
    token = accounts.issue_token(user=ctx.users["nurse"], clinic=ctx.clinic, name="fhir", by="test")
    admin_token = accounts.issue_token(user=ctx.users["clinic_admin"], clinic=ctx.clinic, name="fhir", by="test")
    return {"url": f"{live_server.url}/fhir", "token": token, "admin_token": admin_token, "ctx": ctx, **extras,
            "patient": Patient.objects.get(clinic=ctx.clinic, mrn="DEMO-0001")}


def test_fhirpy_reads_demo_0001s_vitals_and_scores_following_pages(served):
    from fhirpy import SyncFHIRClient

    from interop.fhir.codes import mrn_system

    client = SyncFHIRClient(served["url"], authorization=f"Bearer {served['token']}")
    patient = client.resources("Patient").search(identifier=f"{mrn_system(served['ctx'].clinic.slug)}|DEMO-0001").get()
    assert patient["identifier"][0]["value"] == "DEMO-0001"
    vitals = client.resources("Observation").search(patient=patient.id, category="vital-signs").limit(4).fetch_all()
    single_page = client.resources("Observation").search(patient=patient.id, category="vital-signs").limit(1000).fetch()
    assert len(vitals) == len(single_page) > 4
    assert {o["code"]["coding"][0]["code"] for o in vitals} >= {"85354-9", "8867-4"}
    bp = next(o for o in vitals if o["code"]["coding"][0]["code"] == "85354-9")
    assert {c["code"]["coding"][0]["code"] for c in bp["component"]} == {"8480-6", "8462-4"}
    scores = client.resources("Observation").search(patient=patient.id, category="survey").fetch_all()
    assert scores and all(o["category"][0]["coding"][0]["code"] == "survey" for o in scores)
    assert any(o["code"]["coding"][0]["code"] == "101698-9" for o in scores)  # PCL-5 total
    with_patients = client.resources("Observation").search(patient=patient.id).include("Observation", "patient").limit(3).fetch_raw()
    assert {e["resource"]["resourceType"] for e in with_patients["entry"]} == {"Observation", "Patient"}


def test_fhirpy_of_another_clinic_reads_nothing_of_clinic_a(served):
    from fhirpy import SyncFHIRClient
    from fhirpy.base.exceptions import ResourceNotFound

    client = SyncFHIRClient(served["url"], authorization=f"Bearer {served['b_token']}")
    with pytest.raises(ResourceNotFound):
        client.reference("Patient", served["patient"].pk).to_resource()
    assert client.resources("Observation").search(patient=served["patient"].pk).fetch_all() == []
    patients = client.resources("Patient").include("Patient", "organization").fetch_all()
    assert [p.id for p in patients] == [str(served["b_patient"].pk)]


def test_fhirclient_parses_the_capability_statement_and_every_resource_type(served):
    from fhirclient import client
    from fhirclient.models.bundle import Bundle

    from interop.fhir.sources import AUDIT_TYPES, RESOURCE_TYPES

    smart = client.FHIRClient(settings={"app_id": "ketacare-tests", "api_base": served["url"] + "/"})
    smart.server.session.headers["Authorization"] = f"Bearer {served['token']}"
    smart.server.get_capability()
    statement = smart.server.capabilityStatement
    assert statement.fhirVersion == "4.0.1"
    assert {r.type for r in statement.rest[0].resource} == set(RESOURCE_TYPES)
    parsed = {}
    for resource_type in RESOURCE_TYPES:
        # The audit log is the clinic admin's to read; every other type the nurse reads.
        role_token = served["admin_token"] if resource_type in AUDIT_TYPES else served["token"]
        smart.server.session.headers["Authorization"] = f"Bearer {role_token}"
        bundle = Bundle(smart.server.request_json(f"{resource_type}?_count=200"), strict=True)
        for entry in bundle.entry or []:
            assert entry.resource.resource_type == resource_type
            parsed[resource_type] = parsed.get(resource_type, 0) + 1
    assert set(RESOURCE_TYPES) - set(parsed) <= {"AllergyIntolerance"}
    smart.server.session.headers["Authorization"] = f"Bearer {served['token']}"
    pid = served["patient"].pk
    everything = Bundle(smart.server.request_json(f"Patient/{pid}/$everything"), strict=True)
    assert len(everything.entry) > 10
