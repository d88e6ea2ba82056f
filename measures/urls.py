from django.urls import path

from infusions.models import Alert
from ketacare.access import register_url_sample

from . import public, views
from .choices import SUICIDE_RISK
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


def _sample_alert(clinic: object) -> object:
    rows = Alert.objects.in_clinic(clinic).order_by("pk")
    return (rows.filter(kind=SUICIDE_RISK).values_list("pk", flat=True).first()
            or rows.values_list("pk", flat=True).first())


register_url_sample("assessment_id", lambda clinic: Assessment.objects.in_clinic(clinic).values_list("pk", flat=True).first())
register_url_sample("alert_id", _sample_alert)
# A made-up token: every visitor gets the "link not valid" page (the link itself is the only credential).
register_url_sample("token", lambda clinic: "sample-not-a-real-token")
