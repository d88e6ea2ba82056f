from django.urls import path

from ketacare.access import register_url_sample

from . import views
from .models import CurrentMedication, Patient

app_name = "patients"
urlpatterns = [
    path("", views.patient_list, name="list"),
    path("new/", views.patient_create, name="create"),
    path("<int:patient_id>/", views.patient_chart, name="chart"),
    path("<int:patient_id>/edit/", views.patient_edit, name="edit"),
    path("<int:patient_id>/intake/", views.intake, name="intake"),
    path("<int:patient_id>/intake/<str:kind>/<int:row>/amend/", views.intake_amend, name="intake_amend"),
    path("<int:patient_id>/screening/", views.screen, name="screen"),
]

register_url_sample("kind", lambda clinic: "medication")
register_url_sample("row", lambda clinic: CurrentMedication.objects.in_clinic(clinic).filter(
    patient=Patient.objects.in_clinic(clinic).first()).values_list("pk", flat=True).first())
register_url_sample("patient_id", lambda clinic: Patient.objects.in_clinic(clinic).values_list("pk", flat=True).first())
