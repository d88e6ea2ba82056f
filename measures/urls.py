from django.urls import path

from accounts.access import register_url_sample

from . import public, views
from .models import Assessment

app_name = "measures"
urlpatterns = [
    path("due/", views.due_list, name="due"),
    path("patients/<int:patient_id>/", views.patient_measures, name="patient"),
    path("patients/<int:patient_id>/enter/", views.enter, name="enter"),
    path("patients/<int:patient_id>/link/", views.issue_link, name="issue_link"),
    path("assessments/<int:assessment_id>/", views.assessment_detail, name="assessment"),
    path("alerts/<int:alert_id>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("q/<str:token>/", public.answer, name="answer"),
]


register_url_sample("assessment_id", lambda clinic: Assessment.objects.in_clinic(clinic).values_list("pk", flat=True).first())
# A made-up token: every visitor gets the "link not valid" page (the link itself is the only credential).
register_url_sample("token", lambda clinic: "sample-not-a-real-token")
