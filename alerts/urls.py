from django.urls import path

from accounts.access import register_url_sample

from . import views
from .choices import AlertKind
from .models import Alert

app_name = "alerts"
urlpatterns = [
    path("", views.alert_list, name="list"),
    path("panel/", views.alert_panel, name="panel"),
    path("<int:alert_id>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("<int:alert_id>/review/", views.review, name="review"),
]


def _sample_alert(clinic: object) -> object:
    """A suicide-risk alert if there is one (measures' acknowledge page takes only those), else any."""
    rows = Alert.objects.in_clinic(clinic).order_by("pk")
    return (rows.filter(kind=AlertKind.SUICIDE_RISK).values_list("pk", flat=True).first()
            or rows.values_list("pk", flat=True).first())


register_url_sample("alert_id", _sample_alert)
