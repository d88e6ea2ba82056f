from django.urls import path

from accounts.access import register_url_sample

from . import views
from .models import IntegrationSession

app_name = "therapy"
urlpatterns = [
    path("record/<int:patient_id>/", views.record, name="record"),
    path("<int:therapy_id>/", views.detail, name="detail"),
    path("<int:therapy_id>/amend/", views.amend, name="amend"),
]

register_url_sample("therapy_id", lambda clinic: IntegrationSession.objects.in_clinic(clinic).values_list("pk", flat=True).first())
