from django.urls import path

from accounts.access import register_url_sample

from . import views
from .models import Patient

app_name = "patients"
urlpatterns = [
    path("", views.patient_list, name="list"),
    path("new/", views.patient_create, name="create"),
    path("<int:patient_id>/", views.patient_chart, name="chart"),
    path("<int:patient_id>/edit/", views.patient_edit, name="edit"),
    path("<int:patient_id>/intake/", views.intake, name="intake"),
    path("<int:patient_id>/screening/", views.screen, name="screen"),
]

register_url_sample("patient_id", lambda clinic: Patient.objects.in_clinic(clinic).values_list("pk", flat=True).first())
