from django.urls import path

from . import views, views_changes

app_name = "scheduling"
urlpatterns = [
    path("", views.schedule, name="schedule"),
    path("chairs/", views.chairs, name="chairs"),
    path("courses/<int:course_id>/book/", views.book, name="book"),
    path("courses/<int:course_id>/back-entry/", views.back_entry, name="back_entry"),
    path("sessions/<int:session_id>/cancel/", views_changes.cancel, name="cancel"),
    path("sessions/<int:session_id>/no-show/", views_changes.no_show, name="no_show"),
    path("sessions/<int:session_id>/reschedule/", views_changes.reschedule, name="reschedule"),
]
