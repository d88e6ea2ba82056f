"""Properties: a mapped Patient passes both validators and reads back through the referral path unchanged."""

from datetime import UTC, date, datetime
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from interop.fhir.mappers.patient import condition_resource, patient_resource
from interop.fhir.referral import read_referral

from .fhir_checks import assert_valid

NAMES = st.text(alphabet=st.characters(whitelist_categories=("Lu", "Ll")), min_size=1, max_size=20)


def _patient(mrn: str, given: str, family: str, born: date, sex: str, code: str) -> SimpleNamespace:
    clinic = SimpleNamespace(slug="clinic-a")
    return SimpleNamespace(
        pk=7, clinic=clinic, clinic_id=3, mrn=mrn, given_name=given, family_name=family, date_of_birth=born, sex=sex,
        phone="+12025550100", email="", escort_name="", escort_phone="", diagnosis_code=code,
        created_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))


@settings(max_examples=40, deadline=None)
@given(mrn=st.from_regex(r"[A-Z]{1,3}-[0-9]{1,6}", fullmatch=True), given_name=NAMES, family=NAMES,
       born=st.dates(min_value=date(1910, 1, 1), max_value=date(2010, 12, 31)),
       sex=st.sampled_from(["female", "male", "other", "unknown"]), code=st.sampled_from(["F43.10", "F43.11", "F43.12"]))
def test_patient_and_condition_round_trip_through_the_referral_reader(mrn, given_name, family, born, sex, code):
    patient = _patient(mrn, given_name, family, born, sex, code)
    resource, condition = patient_resource(patient), condition_resource(patient)
    assert_valid(resource)
    assert_valid(condition)
    bundle = {"resourceType": "Bundle", "type": "transaction", "entry": [
        {"fullUrl": "Patient/7", "resource": resource}, {"resource": condition}]}
    referral = read_referral(bundle, "clinic-a")
    assert referral.problems == []
    assert referral.patient == {"mrn": mrn, "given_name": given_name, "family_name": family, "date_of_birth": born,
                                "sex": sex, "phone": "+12025550100", "diagnosis_code": code}
