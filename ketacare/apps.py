from django.apps import AppConfig


class KetacareConfig(AppConfig):
    name = "ketacare"
    verbose_name = "KetaCare"

    def ready(self) -> None:
        from django.apps import apps
        from django.db.models.signals import post_migrate

        from toolkit.rls import after_migrate

        # once per migrate, after every app's migrations (this app has no models, so no signal of its own)
        post_migrate.connect(after_migrate, sender=apps.get_app_config("accounts"), dispatch_uid="toolkit.rls")
