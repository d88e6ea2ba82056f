from django.urls import path

from accounts.access import register_url_sample

from . import views
from .models import Allergy, CurrentMedication, Patient, PriorTreatment, TraumaEvent

app_name = "patients"
urlpatterns = [
    path("", views.patient_list, name="list"),
    path("new/", views.patient_create, name="create"),
    path("<int:patient_id>/", views.patient_chart, name="chart"),
    path("<int:patient_id>/edit/", views.patient_edit, name="edit"),
    path("<int:patient_id>/intake/", views.intake, name="intake"),
    path("intake/trauma/<int:trauma_id>/amend/", views.amend_trauma, name="amend_trauma"),
    path("intake/treatment/<int:treatment_id>/amend/", views.amend_treatment, name="amend_treatment"),
    path("intake/medication/<int:medication_id>/amend/", views.amend_medication, name="amend_medication"),
    path("intake/allergy/<int:allergy_id>/amend/", views.amend_allergy, name="amend_allergy"),
    path("<int:patient_id>/screening/", views.screen, name="screen"),
]

for _kwarg, _model in (("trauma_id", TraumaEvent), ("treatment_id", PriorTreatment), ("medication_id", CurrentMedication),
                       ("allergy_id", Allergy)):
    register_url_sample(_kwarg, lambda clinic, m=_model: m.objects.in_clinic(clinic).values_list("pk", flat=True).first())
register_url_sample("patient_id", lambda clinic: Patient.objects.in_clinic(clinic).values_list("pk", flat=True).first())
