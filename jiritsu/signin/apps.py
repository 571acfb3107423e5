from django.apps import AppConfig


class SigninConfig(AppConfig):
    """Sign-in security: the second factor (TOTP with recovery codes), the sessions a user
    holds, and each office's sign-in policy."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "jiritsu.signin"
    verbose_name = "サインイン"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from jiritsu.signin import services

        user_logged_in.connect(services.on_login, dispatch_uid="signin.on_login")
        user_logged_out.connect(services.on_logout, dispatch_uid="signin.on_logout")
