from django.urls import path

from accounts.access import register_url_sample

from . import views
from .models import ApiToken

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.sign_in, name="login"),
    path("sign-in/code/", views.second_factor, name="second_factor"),
    path("sign-out/", views.sign_out, name="logout"),
    path("two-step/", views.two_factor, name="two_factor"),
    path("clinic/", views.choose_clinic, name="choose_clinic"),
    path("settings/", views.clinic_settings, name="clinic_settings"),
    path("staff/", views.staff, name="staff"),
    path("permissions/", views.permissions, name="permissions"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.revoke_token, name="revoke_token"),
]

register_url_sample("token_id", lambda clinic: ApiToken.objects.filter(clinic=clinic).values_list("pk", flat=True).first())
