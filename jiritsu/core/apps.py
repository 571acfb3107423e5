from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "jiritsu.core"
    label = "core"

    def ready(self) -> None:
        from jiritsu.core import lookups  # noqa: F401  (registers ``__any``)
