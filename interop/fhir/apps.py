from django.apps import AppConfig


class FhirConfig(AppConfig):
    """The FHIR API's own tables (SMART clients, export jobs) under the label "fhir"."""

    name = "interop.fhir"
    label = "fhir"
    verbose_name = "FHIR API"
    default_auto_field = "django.db.models.BigAutoField"
