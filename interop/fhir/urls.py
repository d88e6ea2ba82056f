"""/fhir/: the FHIR R4 API (mounted by ketacare/urls.py, namespace "fhir")."""

from django.urls import path

from . import smart, views

app_name = "fhir"

urlpatterns = [
    path("metadata", views.metadata, name="metadata"),
    path(".well-known/smart-configuration", smart.smart_configuration, name="smart-configuration"),
    path("auth/token", smart.token, name="token"),
    path("Patient/<str:resource_id>/$everything", views.everything, name="everything"),
    path("<str:resource_type>", views.search_type, name="search"),
    path("<str:resource_type>/<str:resource_id>", views.read_resource, name="read"),
]
