"""/fhir/: the FHIR R4 API (mounted by ketacare/urls.py, namespace "fhir")."""

from django.urls import path

from . import bulk, smart, views, views_write

app_name = "fhir"

urlpatterns = [
    path("", views_write.transaction_bundle, name="transaction"),
    path("metadata", views.metadata, name="metadata"),
    path(".well-known/smart-configuration", smart.smart_configuration, name="smart-configuration"),
    path("auth/token", smart.token, name="token"),
    path("$export", bulk.system_export, name="export"),
    path("Patient/$export", bulk.patient_export, name="patient-export"),
    path("Group/<str:group_id>/$export", bulk.group_export, name="group-export"),
    path("$export-status/<str:job_id>", bulk.export_status, name="export-status"),
    path("$export-file/<str:job_id>/<str:name>", bulk.export_file, name="export-file"),
    path("Patient/<str:resource_id>/$everything", views.everything, name="everything"),
    path("<str:resource_type>", views.search_type, name="search"),
    path("<str:resource_type>/<str:resource_id>", views.read_resource, name="read"),
]
