from django.urls import path

from accounts.access import register_url_sample

from . import views, views_auth, views_staff
from .models import ApiToken, Membership

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views_auth.sign_in, name="login"),
    path("sign-in/code/", views_auth.second_factor, name="second_factor"),
    path("passkey/options/", views_auth.passkey_options, name="passkey_options"),
    path("confirm/", views_auth.reauth, name="reauth"),
    path("sign-out/", views.sign_out, name="logout"),
    path("two-step/", views_auth.two_factor, name="two_factor"),
    path("clinic/", views.choose_clinic, name="choose_clinic"),
    path("settings/", views.clinic_settings, name="clinic_settings"),
    path("staff/", views_staff.staff, name="staff"),
    path("staff/<int:member_id>/", views_staff.member, name="member"),
    path("permissions/", views.permissions, name="permissions"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.revoke_token, name="revoke_token"),
]

register_url_sample("token_id", lambda clinic: ApiToken.objects.filter(clinic=clinic).values_list("pk", flat=True).first())
register_url_sample("member_id", lambda clinic: Membership.objects.filter(clinic=clinic).values_list("pk", flat=True).first())
