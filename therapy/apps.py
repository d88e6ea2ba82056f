from django.apps import AppConfig


class TherapyConfig(AppConfig):
    name = "therapy"
    default_auto_field = "django.db.models.BigAutoField"
