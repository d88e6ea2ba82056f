"""Every mapper's output passes fhir.resources, the official R4 JSON schema and FHIRPath invariants.

The small demo clinic holds one patient or two per stage, so every kind of row exists.
"""

from collections import Counter

import pytest

from interop.fhir import sources
from interop.fhir.mappers import safety
from ketacare.testing import demo_rolled_back

from .fhir_checks import assert_valid, schema_errors
from .fhir_demo import add_fhir_extras

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with demo_rolled_back(django_db_blocker, small=True) as ctx:
        add_fhir_extras(ctx)
        yield ctx


def _all_resources(clinic):
    for resource_type, srcs in sources.SOURCES.items():
        for source in srcs:
            rows = source.rows_for(clinic)
            for row in rows if isinstance(rows, list) else rows.iterator(chunk_size=500):
                for resource in source.resources(row):
                    yield resource_type, resource


def test_every_resource_of_the_demo_clinic_passes_both_validators(demo):
    seen = Counter()
    for resource_type, resource in _all_resources(demo.clinic):
        assert resource["resourceType"] == resource_type
        assert_valid(resource)
        seen[resource_type] += 1
    missing = set(sources.RESOURCE_TYPES) - set(seen)
    assert not missing, f"the small demo emits no {missing}"


def test_ids_are_unique_per_type_and_found_again_by_their_source(demo):
    ids = Counter((t, r["id"]) for t, r in _all_resources(demo.clinic))
    assert max(ids.values()) == 1
    for resource_type, resource_id in list(ids)[:400]:
        source, pk = sources.source_for_id(resource_type, resource_id)
        row = sources.row_for(source, demo.clinic, pk)
        assert resource_id in {r["id"] for r in source.resources(row)}


def test_patient_carries_the_mrn_under_the_clinics_system(demo):
    patient = demo.patients[0].patient
    (resource,) = sources.SOURCES["Patient"][0].resources(patient)
    assert resource["identifier"][0]["value"] == patient.mrn
    assert resource["identifier"][0]["system"].endswith(f"/sid/{demo.clinic.slug}/mrn")
    assert resource["identifier"][0]["type"]["coding"][0]["code"] == "MR"


def test_ptsd_condition_has_icd10cm_and_snomed(demo):
    patient = next(p.patient for p in demo.patients if p.patient.diagnosis_code)
    (resource,) = sources.SOURCES["Condition"][0].resources(patient)
    codings = {(c["system"], c["code"]) for c in resource["code"]["coding"]}
    assert ("http://snomed.info/sct", "47505003") in codings
    assert ("http://hl7.org/fhir/sid/icd-10-cm", patient.diagnosis_code) in codings
    assert patient.diagnosis_code.startswith("F43.1")


def test_blood_pressure_is_a_panel_with_systolic_and_diastolic_components(demo):
    vital = sources.SOURCES["Observation"][0].rows_for(demo.clinic).filter(systolic_mmhg__isnull=False).first()
    bp = next(r for r in sources.SOURCES["Observation"][0].resources(vital) if r["id"].endswith("-bp"))
    assert bp["code"]["coding"][0]["code"] == "85354-9"
    components = {c["code"]["coding"][0]["code"]: c["valueQuantity"]["value"] for c in bp["component"]}
    assert components == {"8480-6": vital.systolic_mmhg, "8462-4": vital.diastolic_mmhg}
    assert bp["effectiveDateTime"].startswith(vital.measured_at.isoformat()[:16])
    assert "valueQuantity" not in bp


def test_spo2_carries_both_loinc_codes(demo):
    vital = sources.SOURCES["Observation"][0].rows_for(demo.clinic).filter(spo2_pct__isnull=False).first()
    spo2 = next(r for r in sources.SOURCES["Observation"][0].resources(vital) if r["id"].endswith("-spo2"))
    assert [c["code"] for c in spo2["code"]["coding"]] == ["2708-6", "59408-5"]
    assert spo2["valueQuantity"]["unit"] == "%"


def test_scores_use_loinc_totals_or_the_local_system(demo):
    source = sources.SOURCES["Observation"][2]
    by_instrument = {}
    for assessment in source.rows_for(demo.clinic):
        (obs,) = source.resources(assessment)
        by_instrument[assessment.instrument] = obs
    assert by_instrument["phq9"]["code"]["coding"][0] == {"system": "http://loinc.org", "code": "44261-6",
                                                         "display": by_instrument["phq9"]["code"]["coding"][0]["display"]}
    assert by_instrument["pcl5"]["code"]["coding"][0]["code"] == "101698-9"
    for obs in by_instrument.values():
        assert obs["category"][0]["coding"][0]["code"] == "survey"
        assert obs["code"]["coding"][0]["system"] in ("http://loinc.org", "https://ketacare.example/fhir/CodeSystem/instrument-scores")


def test_medication_request_states_dose_route_and_count(demo):
    course = sources.SOURCES["MedicationRequest"][0].rows_for(demo.clinic).first()
    (request,) = sources.SOURCES["MedicationRequest"][0].resources(course)
    dosage = request["dosageInstruction"][0]
    assert dosage["doseAndRate"][0]["doseQuantity"] == {"value": float(course.mg_per_kg), "unit": "mg/kg",
                                                        "system": "http://unitsofmeasure.org", "code": "mg/kg"}
    assert dosage["route"]["coding"][0]["code"] == "47625008"
    assert dosage["timing"]["repeat"]["count"] == course.protocol_snapshot["n_infusions"]


def test_medication_administration_gives_mg_and_ml_per_hour(demo):
    source = sources.SOURCES["MedicationAdministration"][0]
    given = source.rows_for(demo.clinic).filter(total_mg__isnull=False).first()
    (admin,) = source.resources(given)
    assert admin["dosage"]["dose"]["value"] == float(given.total_mg)
    assert admin["dosage"]["rateQuantity"]["code"] == "mL/h"
    assert admin["context"] == {"reference": f"Encounter/{given.pk}"}


def test_encounter_is_ambulatory_at_its_chair(demo):
    source = sources.SOURCES["Encounter"][0]
    row = source.rows_for(demo.clinic).first()
    (encounter,) = source.resources(row)
    assert encounter["class"]["code"] == "AMB"
    assert encounter["location"][0]["location"] == {"reference": f"Location/{row.chair_id}"}


def test_allergy_mapper_output_is_valid_for_a_recorded_allergy():
    class Allergy:
        pk, patient_id, substance, reaction, severity, created_at = 4, 9, "penicillin", "rash", "moderate", None

    resource = safety.allergy_resource(Allergy())
    assert_valid(resource)
    assert resource["reaction"][0]["severity"] == "moderate"


def test_schema_check_catches_a_bad_code():
    assert schema_errors({"resourceType": "Observation", "status": "bogus", "code": {"text": "x"}})
