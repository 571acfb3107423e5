from django.apps import AppConfig


class OfficesConfig(AppConfig):
    name = "jiritsu.offices"
    label = "offices"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from jiritsu.offices.middleware import note_login_as_activity

        user_logged_in.connect(note_login_as_activity,
                               dispatch_uid="jiritsu.offices.note_login_as_activity")
