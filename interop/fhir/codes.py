"""Code systems and fixed codes the FHIR face uses (CLINICAL.md section 5)."""

from django.conf import settings

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
UCUM = "http://unitsofmeasure.org"
OBS_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
IDENTIFIER_TYPE = "http://terminology.hl7.org/CodeSystem/v2-0203"
CONTACT_ROLE = "http://terminology.hl7.org/CodeSystem/v2-0131"
PARTICIPATION = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
AE_SERIOUSNESS = "http://terminology.hl7.org/CodeSystem/adverse-event-seriousness"
AE_SEVERITY = "http://terminology.hl7.org/CodeSystem/adverse-event-severity"
AE_OUTCOME = "http://terminology.hl7.org/CodeSystem/adverse-event-outcome"
ALLERGY_CLINICAL = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
ALLERGY_VERIFICATION = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"
LOCATION_TYPE = "http://terminology.hl7.org/CodeSystem/location-physical-type"
DATA_ABSENT = "http://terminology.hl7.org/CodeSystem/data-absent-reason"

VITALS_PROFILE = "http://hl7.org/fhir/StructureDefinition/vitalsigns"
PTSD_SNOMED = ("47505003", "Posttraumatic stress disorder")
IV_ROUTE_SNOMED = ("47625008", "Intravenous route")


def base() -> str:
    """The installation's own URL space for identifier systems, local codes and canonicals."""
    return str(getattr(settings, "KETACARE_FHIR_SYSTEM_BASE", "https://ketacare.example/fhir")).rstrip("/")


def mrn_system(clinic_slug: str) -> str:
    """The identifier system of a clinic's medical record numbers."""
    return f"{base()}/sid/{clinic_slug}/mrn"


def local(name: str) -> str:
    """A local code system of the project (roles, medications, instruments without LOINC)."""
    return f"{base()}/CodeSystem/{name}"


def questionnaire_url(instrument_id: str) -> str:
    """The canonical URL of an instrument's Questionnaire."""
    return f"{base()}/Questionnaire/{instrument_id}"


KETAMINE = {"coding": [{"system": local("medication"), "code": "ketamine", "display": "Ketamine"}], "text": "Ketamine"}
