from django.urls import path

from accounts.access import register_url_sample

from . import views
from .fhir import wording_views
from .models import Hl7Message

app_name = "interop"
urlpatterns = [
    path("quarantine/", views.quarantine, name="quarantine"),
    path("quarantine/<int:message_id>/", views.quarantined, name="quarantined"),
    path("held/<int:message_id>/accept/", views.held_accept, name="held_accept"),
    path("held/<int:message_id>/reject/", views.held_reject, name="held_reject"),
    path("instruments/", wording_views.instruments, name="instruments"),
]

register_url_sample("message_id", lambda clinic: Hl7Message.objects.in_clinic(clinic).values_list("pk", flat=True).first())
