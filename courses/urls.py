from django.urls import path

from accounts.access import register_url_sample

from . import views
from .models import Protocol, TreatmentCourse

app_name = "courses"
urlpatterns = [
    path("protocols/", views.protocols, name="protocols"),
    path("protocols/new/", views.protocol_new, name="protocol_new"),
    path("protocols/<int:protocol_id>/", views.protocol_edit, name="protocol_edit"),
    path("order/<int:patient_id>/", views.order, name="order"),
    path("<int:course_id>/", views.course_detail, name="detail"),
    path("<int:course_id>/end/", views.course_end, name="end"),
]

register_url_sample("protocol_id", lambda clinic: Protocol.objects.in_clinic(clinic).values_list("pk", flat=True).first())
register_url_sample("course_id", lambda clinic: TreatmentCourse.objects.in_clinic(clinic).values_list("pk", flat=True).first())
