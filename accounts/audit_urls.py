"""The audit log page keeps its address (/audit/, `audit:log`); accounts serves it, `audit` stays below accounts."""

from django.urls import path

from . import audit_log

app_name = "audit"
urlpatterns = [path("", audit_log.log, name="log")]
