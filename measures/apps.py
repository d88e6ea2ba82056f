from django.apps import AppConfig
from django.db.models.signals import post_migrate


class MeasuresConfig(AppConfig):
    name = "measures"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from toolkit.readmodels import clinic_policy_changed, course_inputs_changed

        from . import readmodel

        course_inputs_changed.connect(readmodel.on_course_changed, dispatch_uid="measures.due_slots")
        clinic_policy_changed.connect(readmodel.on_policy_changed, dispatch_uid="measures.due_slots_policy")
        post_migrate.connect(readmodel.backfill_after_migrate, sender=self, dispatch_uid="measures.backfill")
