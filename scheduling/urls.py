from django.urls import path

from accounts.access import register_url_sample

from . import calendar_views, shift_views, views, views_changes
from .models import NurseShift, WaitingListEntry

app_name = "scheduling"
urlpatterns = [
    path("", views.schedule, name="schedule"),
    path("chairs/", views.chairs, name="chairs"),
    path("courses/<int:course_id>/book/", views.book, name="book"),
    path("courses/<int:course_id>/back-entry/", views.back_entry, name="back_entry"),
    path("sessions/<int:session_id>/cancel/", views_changes.cancel, name="cancel"),
    path("sessions/<int:session_id>/no-show/", views_changes.no_show, name="no_show"),
    path("sessions/<int:session_id>/reschedule/", views_changes.reschedule, name="reschedule"),
    path("calendar/", calendar_views.calendar, name="calendar"),
    path("slot/", calendar_views.book_slot, name="slot"),
    path("replan/", calendar_views.replan, name="replan"),
    path("courses/<int:course_id>/plan/", calendar_views.plan_course, name="plan_course"),
    path("courses/<int:course_id>/wait/", calendar_views.wait, name="wait"),
    path("bookings/<int:session_id>/", calendar_views.booking, name="booking"),
    path("shifts/", shift_views.shifts, name="shifts"),
    path("patients/<int:patient_id>/availability/", shift_views.availability, name="availability"),
]

register_url_sample("shift_id", lambda clinic: NurseShift.objects.in_clinic(clinic).filter(active=True)
                    .values_list("pk", flat=True).first())
register_url_sample("waiting_id", lambda clinic: WaitingListEntry.objects.in_clinic(clinic)
                    .filter(removed_at__isnull=True).values_list("pk", flat=True).first())
