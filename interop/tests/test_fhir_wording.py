"""`ketacare instruments import FILE`: official wording from a FHIR Questionnaire, or a clear refusal.

The test Questionnaire (data/synthetic-gad7-questionnaire.json) carries made-up wording only.
"""

import copy
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from audit.models import AuditEvent
from measures import services
from measures.models import InstrumentWording

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent / "data" / "synthetic-gad7-questionnaire.json"
GOOD = json.loads(DATA.read_text())


def run(*args: str) -> tuple[str, str, int]:
    out, err = StringIO(), StringIO()
    try:
        call_command("instruments", *args, stdout=out, stderr=err)
        return out.getvalue(), err.getvalue(), 0
    except SystemExit as exc:
        return out.getvalue(), err.getvalue(), int(exc.code or 0)


def write(tmp_path: Path, data: object, name: str = "q.json") -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return str(path)


def test_import_loads_wording_for_every_clinic(world):
    out, err, code = run("import", str(DATA))
    assert code == 0, err
    assert "Imported wording for 7 items of Generalized Anxiety Disorder-7 (GAD-7) for every clinic" in out
    row = InstrumentWording.objects.get()
    assert (row.clinic, row.instrument, row.questionnaire_version) == (None, "gad7", "0.1-test")
    assert row.items["gad7-3"].startswith("Synthetic test wording for worry item 3")
    assert AuditEvent.objects.filter(action="wording_import", actor_label="command line").exists()
    listing, _, _ = run("list")
    assert "gad7" in listing and "Synthetic GAD-7 wording (test only)" in listing


def test_a_clinic_import_overrides_the_installation_wording_for_that_clinic(world, tmp_path):
    run("import", str(DATA))
    mine = copy.deepcopy(GOOD)
    for item in mine["item"][0]["item"]:
        item["text"] = item["text"].replace("Synthetic", "Clinic A synthetic")
    _, err, code = run("import", write(tmp_path, mine), "--clinic", "clinic-a")
    assert code == 0, err
    from measures.queries import wording_for

    assert wording_for(world.a, "gad7").items["gad7-1"].startswith("Clinic A synthetic")
    assert wording_for(world.b, "gad7").items["gad7-1"].startswith("Synthetic")
    assert wording_for(world.a, "phq9") is None


def test_reimporting_replaces_the_wording(world, tmp_path):
    run("import", str(DATA))
    newer = copy.deepcopy(GOOD)
    newer["item"][0]["item"][0]["text"] = "Synthetic replacement text"
    run("import", write(tmp_path, newer))
    assert InstrumentWording.objects.get().items["gad7-1"] == "Synthetic replacement text"


def _missing_items(q: dict) -> dict:
    q["item"][0]["item"] = q["item"][0]["item"][:5]
    return q


def _invalid_fhir(q: dict) -> dict:
    del q["item"][0]["item"][0]["type"]
    return q


def _other_instrument(q: dict) -> dict:
    q["code"] = [{"system": "http://loinc.org", "code": "44249-1"}]
    return q


def _no_text(q: dict) -> dict:
    q["item"][0]["item"][2]["text"] = " "
    return q


@pytest.mark.parametrize(("change", "message"), [
    (_missing_items, "no wording for 2 item(s) of Generalized Anxiety Disorder-7 (GAD-7): gad7-6, gad7-7"),
    (_invalid_fhir, "not valid FHIR R4: item.0.item.0.type"),
    (_other_instrument, "No item of this Questionnaire matches Patient Health Questionnaire-9 (PHQ-9)"),
    (_no_text, "matches gad7-3 but has no text"),
    (lambda q: {**q, "resourceType": "Patient"}, "not a FHIR Questionnaire"),
    (lambda q: {k: v for k, v in q.items() if k != "code"} | {"item": [{"linkId": "x", "type": "string", "text": "t"}]},
     "Cannot tell which instrument"),
])
def test_a_file_that_does_not_fit_is_refused_and_changes_nothing(world, tmp_path, change, message):
    run("import", str(DATA))
    before = list(InstrumentWording.objects.values_list("instrument", "items"))
    events = AuditEvent.objects.count()
    out, err, code = run("import", write(tmp_path, change(copy.deepcopy(GOOD))))
    assert code == 2 and out == ""
    assert message in err
    assert list(InstrumentWording.objects.values_list("instrument", "items")) == before
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize(("content", "message"), [("{not json", "is not JSON"), (None, "no such file")])
def test_unreadable_files_are_refused(world, tmp_path, content, message):
    path = write(tmp_path, content) if content else str(tmp_path / "missing.json")
    _, err, code = run("import", path)
    assert code == 2 and message in err
    assert not InstrumentWording.objects.exists()


def test_an_explicit_instrument_must_match_the_file(world):
    _, err, code = run("import", str(DATA), "--instrument", "phq9")
    assert code == 2 and "coded as Generalized Anxiety Disorder-7 (GAD-7), not Patient Health Questionnaire-9" in err


def test_patients_see_the_imported_wording_and_otherwise_the_project_labels(world, patient):
    _, token = services.issue_link(patient=patient, instrument="gad7", by=world.nurse)
    _, plain = services.issue_link(patient=patient, instrument="phq9", by=world.nurse)
    run("import", str(DATA))
    page = Client().get(f"/measures/q/{token}/").content.decode()
    assert "Synthetic test wording for worry item 1" in page and "Synthetic test text; no licensed wording." in page
    assert "Nervousness" not in page
    assert "Loss of interest" in Client().get(f"/measures/q/{plain}/").content.decode()


def test_a_clinic_admin_imports_wording_for_the_clinic_in_the_browser(world, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = client_for("clinic_admin")
    upload = SimpleUploadedFile("q.json", DATA.read_bytes(), content_type="application/json")
    response = c.post("/interop/instruments/", {"file": upload, "instrument": ""})
    assert response.status_code == 302
    assert InstrumentWording.objects.get().clinic == world.a
    bad = SimpleUploadedFile("q.json", b"{nope", content_type="application/json")
    response = c.post("/interop/instruments/", {"file": bad, "instrument": ""})
    assert response.status_code == 400 and b"not JSON" in response.content
    assert client_for("nurse").get("/interop/instruments/").status_code == 403
