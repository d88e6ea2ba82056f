from django.apps import AppConfig
from django.db.models.signals import post_migrate


class InventoryConfig(AppConfig):
    name = "inventory"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import readmodel

        post_migrate.connect(readmodel.backfill_after_migrate, sender=self, dispatch_uid="inventory.backfill")
