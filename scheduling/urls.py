from django.urls import path

from . import views

app_name = "scheduling"
urlpatterns = [
    path("", views.schedule, name="schedule"),
    path("chairs/", views.chairs, name="chairs"),
    path("courses/<int:course_id>/book/", views.book, name="book"),
]
