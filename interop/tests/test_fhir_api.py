"""The FHIR read API through Django's test client: search, read, include, $everything, errors, audit, isolation."""

from urllib.parse import urlparse

import pytest
from django.test import Client

from accounts import services as accounts
from audit.models import AuditEvent
from patients.models import Patient

from .fhir_checks import assert_valid, schema_errors
from .fhir_demo import add_fhir_extras

pytestmark = pytest.mark.django_db
FHIR = "application/fhir+json"


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from ketacare.testing import demo_rolled_back

    with demo_rolled_back(django_db_blocker, small=True) as ctx:
        extras = add_fhir_extras(ctx)
        tokens = {r: accounts.issue_token(user=ctx.users[r], clinic=ctx.clinic, name="fhir", by="test")
                  for r in ("nurse", "prescriber", "researcher", "inventory_officer", "front_desk")}
        patient = Patient.objects.get(clinic=ctx.clinic, mrn="DEMO-0001")
        yield {"ctx": ctx, "tokens": tokens, "patient": patient, **extras}


def get(demo, url, role="nurse", token=None, **extra):
    token = token or demo["tokens"][role]
    return Client().get(url, HTTP_AUTHORIZATION=f"Bearer {token}", **extra)


def body(response):
    assert response["Content-Type"].startswith(FHIR), response["Content-Type"]
    return response.json()


def check_bundle(bundle):
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "searchset"
    for entry in bundle.get("entry", []):
        assert_valid(entry["resource"])
    assert not schema_errors({**bundle, "entry": [{**e, "resource": {"resourceType": "Basic", "code": {"text": "x"}}}
                                                  for e in bundle.get("entry", [])]})
    return bundle


def test_metadata_lists_every_type_with_smart_and_bulk_data(demo):
    from interop.fhir.sources import RESOURCE_TYPES

    response = Client().get("/fhir/metadata")
    statement = body(response)
    assert_valid(statement)
    assert statement["instantiates"] == ["http://hl7.org/fhir/uv/bulkdata/CapabilityStatement/bulk-data"]
    rest = statement["rest"][0]
    assert {r["type"] for r in rest["resource"]} == set(RESOURCE_TYPES)
    token = rest["security"]["extension"][0]["extension"][0]["valueUri"]
    assert token.endswith("/fhir/auth/token")
    observation = next(r for r in rest["resource"] if r["type"] == "Observation")
    assert {"patient", "code", "category", "date", "_lastUpdated"} <= {p["name"] for p in observation["searchParam"]}


def test_read_a_patient_with_its_mrn(demo):
    patient = demo["patient"]
    resource = body(get(demo, f"/fhir/Patient/{patient.pk}"))
    assert_valid(resource)
    assert resource["identifier"][0]["value"] == "DEMO-0001"


def test_vitals_of_a_patient_by_category_with_paging(demo):
    pid = demo["patient"].pk
    first = check_bundle(body(get(demo, f"/fhir/Observation?patient={pid}&category=vital-signs&_count=3")))
    assert first["total"] > 3 and len(first["entry"]) == 3
    nxt = next(link["url"] for link in first["link"] if link["relation"] == "next")
    second = check_bundle(body(get(demo, urlparse(nxt).path + "?" + urlparse(nxt).query)))
    ids = [e["resource"]["id"] for e in first["entry"]] + [e["resource"]["id"] for e in second["entry"]]
    assert len(set(ids)) == len(ids) == 6
    for entry in first["entry"] + second["entry"]:
        assert entry["resource"]["category"][0]["coding"][0]["code"] == "vital-signs"
        assert entry["resource"]["subject"]["reference"] == f"Patient/{pid}"


def test_code_with_system_and_date_prefixes(demo):
    pid = demo["patient"].pk
    bp = check_bundle(body(get(demo, f"/fhir/Observation?patient={pid}&code=http://loinc.org|85354-9")))
    assert bp["total"] >= 1
    assert {e["resource"]["code"]["coding"][0]["code"] for e in bp["entry"]} == {"85354-9"}
    when = bp["entry"][0]["resource"]["effectiveDateTime"].replace("+00:00", "Z")
    at_or_after = body(get(demo, f"/fhir/Observation?patient={pid}&code=85354-9&date=ge{when}"))
    before = body(get(demo, f"/fhir/Observation?patient={pid}&code=85354-9&date=lt{when}"))
    assert at_or_after["total"] + before["total"] == bp["total"] and at_or_after["total"] >= 1
    wrong_system = body(get(demo, f"/fhir/Observation?patient={pid}&code=http://snomed.info/sct|85354-9"))
    assert wrong_system["total"] == 0


def test_sort_by_date_descending(demo):
    pid = demo["patient"].pk
    bundle = body(get(demo, f"/fhir/Observation?patient={pid}&_sort=-date"))
    dates = [e["resource"]["effectiveDateTime"] for e in bundle["entry"]]
    assert dates == sorted(dates, reverse=True) and len(dates) > 1


def test_identifier_search_finds_the_patient_by_mrn(demo):
    from interop.fhir.codes import mrn_system

    system = mrn_system(demo["ctx"].clinic.slug)
    bundle = check_bundle(body(get(demo, f"/fhir/Patient?identifier={system}|DEMO-0001")))
    assert [e["resource"]["id"] for e in bundle["entry"]] == [str(demo["patient"].pk)]
    assert body(get(demo, "/fhir/Patient?identifier=http://other.example|DEMO-0001"))["total"] == 0


def test_include_and_revinclude(demo):
    pid = demo["patient"].pk
    bundle = check_bundle(body(get(demo, f"/fhir/Observation?patient={pid}&_count=2&_include=Observation:patient")))
    included = [e for e in bundle["entry"] if e["search"]["mode"] == "include"]
    assert [e["resource"]["resourceType"] for e in included] == ["Patient"]
    rev = check_bundle(body(get(demo, f"/fhir/Patient?_id={pid}&_revinclude=Encounter:patient")))
    types = {e["resource"]["resourceType"] for e in rev["entry"] if e["search"]["mode"] == "include"}
    assert types == {"Encounter"}


def test_status_and_last_updated(demo):
    pid = demo["patient"].pk
    finished = body(get(demo, f"/fhir/Encounter?patient={pid}&status=finished"))
    every = body(get(demo, f"/fhir/Encounter?patient={pid}"))
    assert every["total"] > finished["total"]
    assert body(get(demo, "/fhir/Patient?_lastUpdated=lt2000-01-01"))["total"] == 0
    assert body(get(demo, "/fhir/Patient?_lastUpdated=ge2000-01-01"))["total"] == Patient.objects.filter(
        clinic=demo["ctx"].clinic).count()


def test_everything_holds_the_patients_compartment_and_what_it_references(demo):
    pid = demo["patient"].pk
    bundle = check_bundle(body(get(demo, f"/fhir/Patient/{pid}/$everything")))
    types = {e["resource"]["resourceType"] for e in bundle["entry"]}
    assert {"Patient", "Observation", "Encounter", "MedicationRequest", "CarePlan", "Practitioner", "Location"} <= types
    for entry in bundle["entry"]:
        resource = entry["resource"]
        subject = (resource.get("subject") or resource.get("patient") or {}).get("reference")
        assert subject in (None, f"Patient/{pid}")


def test_each_request_writes_one_audit_event_naming_the_patient(demo):
    pid = demo["patient"].pk
    before = AuditEvent.objects.count()
    get(demo, f"/fhir/Observation?patient={pid}&category=vital-signs")
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.order_by("-id").first()
    assert (event.action, event.patient_id, event.clinic_id) == ("fhir_search", pid, demo["ctx"].clinic.pk)


@pytest.mark.parametrize(("url", "status", "code"), [
    ("/fhir/Nonsense", 404, "not-supported"),
    ("/fhir/Patient/999999", 404, "not-found"),
    ("/fhir/Observation?colour=blue", 400, "invalid"),
    ("/fhir/Observation?date=yesterday", 400, "invalid"),
    ("/fhir/Observation?_count=-1", 400, "invalid"),
    ("/fhir/Patient?_format=xml", 406, "not-supported"),
])
def test_errors_are_operation_outcomes(demo, url, status, code):
    response = get(demo, url)
    assert response.status_code == status
    outcome = body(response)
    assert_valid(outcome)
    assert outcome["issue"][0]["code"] == code


def test_no_or_bad_token_is_401_and_a_researcher_is_403(demo):
    assert Client().get("/fhir/Patient").status_code == 401
    assert Client().get("/fhir/Patient", HTTP_AUTHORIZATION="Bearer kc_nope").status_code == 401
    assert Client().get("/fhir/Patient", HTTP_AUTHORIZATION="Bearer a.b.c").status_code == 401
    for role in ("researcher", "inventory_officer"):
        response = get(demo, "/fhir/Patient", role=role)
        assert response.status_code == 403 and body(response)["issue"][0]["code"] == "forbidden"


def test_another_clinics_token_sees_nothing_of_clinic_a(demo):
    pid, token = demo["patient"].pk, demo["b_token"]
    assert get(demo, f"/fhir/Patient/{pid}", token=token).status_code == 404
    assert get(demo, f"/fhir/Patient/{pid}/$everything", token=token).status_code == 404
    assert body(get(demo, f"/fhir/Observation?patient={pid}", token=token))["total"] == 0
    own = body(get(demo, "/fhir/Patient?_revinclude=Observation:patient&_include=Patient:organization", token=token))
    assert [e["resource"]["id"] for e in own["entry"] if e["resource"]["resourceType"] == "Patient"] == [str(demo["b_patient"].pk)]
    orgs = [e["resource"]["id"] for e in own["entry"] if e["resource"]["resourceType"] == "Organization"]
    assert orgs == [str(demo["b"].pk)]
    for resource_type in ("Observation", "Encounter", "Practitioner", "Location", "AdverseEvent"):
        bundle = body(get(demo, f"/fhir/{resource_type}", token=token))
        assert all(e["resource"].get("subject", {}).get("reference") in (None, f"Patient/{demo['b_patient'].pk}")
                   for e in bundle["entry"])
        if resource_type == "Practitioner":
            assert {e["resource"]["id"] for e in bundle["entry"]} == {str(demo["b_nurse"].pk)}


def _fhir_routes():
    from interop.fhir import urls

    return [p for p in urls.urlpatterns]


@pytest.mark.parametrize("pattern", _fhir_routes(), ids=lambda p: p.name)
def test_every_fhir_route_checks_the_bearer_and_the_role(demo, pattern):
    """Generated over interop/fhir/urls.py: 401 without a token (except metadata), 403 for roles without
    FHIR access, 404 for another clinic's patient."""
    assert getattr(pattern.callback, "allowed_roles", None), f"{pattern.name} declares no access rule"
    pid = demo["patient"].pk
    if "public" in pattern.callback.allowed_roles:
        assert Client().get("/fhir/" + str(pattern.pattern)).status_code < 500
        return
    url = "/fhir/" + (str(pattern.pattern).replace("<str:resource_type>", "Patient").replace("<str:resource_id>", str(pid))
                      .replace("<str:group_id>", "all-patients").replace("<str:job_id>", "0" * 32).replace("<str:name>", "x"))
    if pattern.name == "metadata":
        assert Client().get(url).status_code == 200
        return
    method, allowed = ("POST", "front_desk") if pattern.name == "transaction" else ("GET", "nurse")

    def call(role=None, token=None):
        token = token or (demo["tokens"][role] if role else None)
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        return Client().generic(method, url, b"", content_type="application/fhir+json", **headers)

    assert call().status_code == 401
    assert call("researcher").status_code == 403
    assert call(allowed).status_code not in (401, 403, 500)
    if "resource_id" in str(pattern.pattern):
        assert call(token=demo["b_token"]).status_code == 404


def test_questionnaire_responses_include_their_questionnaire_by_canonical_url(demo):
    pid = demo["patient"].pk
    bundle = check_bundle(body(get(demo, f"/fhir/QuestionnaireResponse?patient={pid}&_include=QuestionnaireResponse:questionnaire")))
    responses = [e["resource"] for e in bundle["entry"] if e["search"]["mode"] == "match"]
    included = {e["resource"]["url"] for e in bundle["entry"] if e["search"]["mode"] == "include"}
    assert responses and {r["questionnaire"] for r in responses} <= included


def test_encounters_revinclude_the_infusions_given_in_them(demo):
    pid = demo["patient"].pk
    bundle = check_bundle(body(get(demo, f"/fhir/Encounter?patient={pid}&_revinclude=MedicationAdministration:context")))
    encounters = {f"Encounter/{e['resource']['id']}" for e in bundle["entry"] if e["search"]["mode"] == "match"}
    given = [e["resource"] for e in bundle["entry"] if e["search"]["mode"] == "include"]
    assert given and all(g["resourceType"] == "MedicationAdministration" and g["context"]["reference"] in encounters
                         for g in given)
