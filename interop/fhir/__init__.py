"""FHIR R4: instrument wording import and the FHIR API."""
