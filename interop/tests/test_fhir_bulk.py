"""Bulk Data v2: kick-off, status polling, manifest, NDJSON files, scopes, _type/_since, cancel, isolation."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.test import Client

from accounts import services as accounts
from interop.fhir.models import ExportJob
from ketacare.testing import make_patient

from .fhir_checks import assert_valid

pytestmark = pytest.mark.django_db


@pytest.fixture
def exporting(world, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    patients = [make_patient(world, mrn=f"T-{n}") for n in range(3)]
    token = accounts.issue_token(user=world.users["nurse"], clinic=world.a, name="bulk", by="test")
    return {"world": world, "patients": patients, "token": token}


def call(token, url, method="GET", prefer=True):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if prefer:
        headers["HTTP_PREFER"] = "respond-async"
    return Client().generic(method, url, **headers)


def kick_off(token, url):
    response = call(token, url)
    assert response.status_code == 202, response.content
    return response["Content-Location"].removeprefix("http://testserver")


def run_worker():
    call_command("fhir", "export-worker", "--once")


def ndjson(token, manifest):
    files = {}
    for output in manifest["output"]:
        response = call(token, output["url"].removeprefix("http://testserver"), prefer=False)
        assert response.status_code == 200 and response["Content-Type"] == "application/fhir+ndjson"
        lines = b"".join(response.streaming_content).decode().splitlines()
        assert len(lines) == output["count"]
        files[output["type"]] = [json.loads(line) for line in lines]
    return files


def test_system_export_polls_then_serves_a_manifest_and_valid_ndjson(exporting):
    token = exporting["token"]
    status_url = kick_off(token, "/fhir/$export?_outputFormat=application/fhir%2Bndjson")
    waiting = call(token, status_url, prefer=False)
    assert waiting.status_code == 202 and waiting["Retry-After"] == "2" and waiting["X-Progress"]
    run_worker()
    done = call(token, status_url, prefer=False)
    assert done.status_code == 200
    manifest = done.json()
    assert manifest["requiresAccessToken"] is True and manifest["error"] == []
    files = ndjson(token, manifest)
    assert {p["id"] for p in files["Patient"]} == {str(p.pk) for p in exporting["patients"]}
    assert "Organization" in files and "Practitioner" in files
    for resources in files.values():
        for resource in resources:
            assert_valid(resource)


def test_type_and_since_narrow_the_export(exporting):
    token = exporting["token"]
    status_url = kick_off(token, "/fhir/$export?_type=Patient,Condition")
    run_worker()
    manifest = call(token, status_url, prefer=False).json()
    assert {o["type"] for o in manifest["output"]} == {"Patient", "Condition"}
    later = (datetime.now(UTC) + timedelta(minutes=1)).isoformat().replace("+00:00", "Z")
    status_url = kick_off(token, f"/fhir/Patient/$export?_type=Patient&_since={later}")
    run_worker()
    assert call(token, status_url, prefer=False).json()["output"] == []


def test_group_export_takes_the_cohort(exporting):
    token = exporting["token"]
    status_url = kick_off(token, "/fhir/Group/active-course/$export?_type=Patient")
    run_worker()
    assert call(token, status_url, prefer=False).json()["output"] == []  # nobody has a course yet
    assert call(token, "/fhir/Group/nonsense/$export").status_code == 404


def test_kick_off_refusals(exporting):
    token = exporting["token"]
    assert call(token, "/fhir/$export", prefer=False).status_code == 400
    assert call(token, "/fhir/$export?_outputFormat=text/csv").status_code == 400
    assert call(token, "/fhir/$export?_type=Nonsense").status_code == 400
    strict = Client().get("/fhir/$export?_type=Patient,Nonsense", HTTP_AUTHORIZATION=f"Bearer {token}",
                          HTTP_PREFER="respond-async, handling=strict")
    assert strict.status_code == 400
    assert call(token, "/fhir/$export?_since=yesterday").status_code == 400
    assert call(token, "/fhir/$export?_elements=id").status_code == 400
    researcher = accounts.issue_token(user=exporting["world"].users["researcher"], clinic=exporting["world"].a, name="r", by="t")
    assert call(researcher, "/fhir/$export").status_code == 403
    assert Client().get("/fhir/$export", HTTP_PREFER="respond-async").status_code == 401
    assert not ExportJob.objects.exists()


def test_delete_cancels_the_job_and_its_files(exporting):
    token = exporting["token"]
    status_url = kick_off(token, "/fhir/$export?_type=Patient")
    run_worker()
    file_url = call(token, status_url, prefer=False).json()["output"][0]["url"].removeprefix("http://testserver")
    assert call(token, status_url, method="DELETE", prefer=False).status_code == 202
    assert call(token, status_url, prefer=False).status_code == 404
    assert call(token, file_url, prefer=False).status_code == 410


def test_a_cancelled_queued_job_is_never_run(exporting):
    token = exporting["token"]
    status_url = kick_off(token, "/fhir/$export?_type=Patient")
    call(token, status_url, method="DELETE", prefer=False)
    run_worker()
    assert ExportJob.objects.get().status == "cancelled" and ExportJob.objects.get().output == []


def test_another_clinic_neither_sees_the_job_nor_gets_clinic_a_rows(exporting):
    world, token = exporting["world"], exporting["token"]
    status_url = kick_off(token, "/fhir/$export?_type=Patient")
    run_worker()
    b_token = accounts.issue_token(user=world.b_users["nurse"], clinic=world.b, name="b", by="test")
    assert call(b_token, status_url, prefer=False).status_code == 404
    file_url = call(token, status_url, prefer=False).json()["output"][0]["url"].removeprefix("http://testserver")
    assert call(b_token, file_url, prefer=False).status_code == 404
    b_patient = make_patient(world, world.b, mrn="B-1")
    b_status = kick_off(b_token, "/fhir/$export?_type=Patient")
    run_worker()
    files = ndjson(b_token, call(b_token, b_status, prefer=False).json())
    assert [p["id"] for p in files["Patient"]] == [str(b_patient.pk)]


def test_a_smart_clients_export_holds_only_the_types_its_scopes_allow(exporting, tmp_path):
    from .fhir_keys import assertion, token_form
    from .test_fhir_smart import TOKEN_URL, add_client

    world = exporting["world"]
    client_id, private, kid = add_client(world, tmp_path, scopes="system/Patient.read system/Observation.read")
    granted = Client().post("/fhir/auth/token", token_form(assertion(private, client_id, TOKEN_URL, kid),
                                                           "system/Patient.read system/Observation.read")).json()
    status_url = kick_off(granted["access_token"], "/fhir/$export")
    assert ExportJob.objects.get().types == ["Patient", "Observation"]
    run_worker()
    manifest = call(granted["access_token"], status_url, prefer=False).json()
    assert {o["type"] for o in manifest["output"]} == {"Patient"}  # no readings recorded yet


def test_type_filter_keeps_the_resources_any_of_its_queries_match(exporting):
    token = exporting["token"]
    first, _, third = exporting["patients"]
    # Two queries in one comma-separated value and a repeated parameter: a patient is kept when any matches.
    status_url = kick_off(token, "/fhir/$export?_type=Patient,Organization"
                                 "&_typeFilter=Patient%3Fidentifier%3DT-0,Patient%3Fidentifier%3DT-2"
                                 "&_typeFilter=Patient%3F_id%3D" + str(first.pk))
    run_worker()
    files = ndjson(token, call(token, status_url, prefer=False).json())
    assert sorted(p["id"] for p in files["Patient"]) == sorted([str(first.pk), str(third.pk)])
    assert len(files["Organization"]) == 1  # a type without a filter is exported whole
    job = ExportJob.objects.get()
    assert job.type_filters == {"Patient": ["Patient?identifier=T-0", "Patient?identifier=T-2", f"Patient?_id={first.pk}"]}


@pytest.mark.parametrize("type_filter", ["Patient%3Fshoe-size%3D9", "Observation%3Fcategory%3Dvital-signs",
                                         "Patient%3F_count%3D5", "Nonsense%3Fx%3D1", "Patient"])
def test_a_type_filter_that_cannot_be_served_is_refused_before_anything_is_queued(exporting, type_filter):
    response = call(exporting["token"], f"/fhir/$export?_type=Patient&_typeFilter={type_filter}")
    assert response.status_code == 400 and response.json()["resourceType"] == "OperationOutcome"
    assert not ExportJob.objects.exists()
