from django.apps import AppConfig


class TransfersConfig(AppConfig):
    """実施責任の移管: handing a person over to another office of the installation, and the
    signed person file exchanged with another installation."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "jiritsu.transfers"
    verbose_name = "移管"

    def ready(self) -> None:
        # The person page's lines about 移管: cases shows the page, this app knows the
        # transfers. Wired here, once the apps are loaded.
        from jiritsu.transfers import person_notes

        person_notes.connect()
