from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .guards import on_logged_in

        user_logged_in.connect(on_logged_in, dispatch_uid="accounts.step_up_on_login")
