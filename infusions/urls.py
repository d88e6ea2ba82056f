from django.urls import path

from accounts.access import register_url_sample

from . import views, views_alerts, views_steps
from .models import InfusionSession

app_name = "infusions"
S = "sessions/<int:session_id>/"
urlpatterns = [
    path("", views_alerts.today, name="today"),
    path(S, views.session_screen, name="session"),
    path(S + "live/", views.live, name="live"),
    path(S + "action/", views.action, name="action"),
    path(S + "vitals/", views.vitals, name="vitals"),
    path(S + "side-effects/", views.side_effects, name="side_effects"),
    path(S + "note/", views.note, name="note"),
    path(S + "record/", views.record, name="record"),
    path(S + "check-in/", views_steps.check_in, name="check_in"),
    path(S + "dose-override/", views_steps.override_dose, name="override_dose"),
    path(S + "verify/", views_steps.verify, name="verify"),
    path(S + "cadss/", views_steps.cadss, name="cadss"),
    path(S + "adverse-events/", views_steps.adverse_event, name="adverse_event"),
    path(S + "discharge/", views_steps.discharge, name="discharge"),
    path(S + "sign/", views_steps.sign, name="sign"),
    path(S + "cosign/", views_steps.cosign, name="cosign"),
]

register_url_sample("session_id", lambda clinic: InfusionSession.objects.in_clinic(clinic).values_list("pk", flat=True).first())
