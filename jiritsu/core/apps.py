from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "jiritsu.core"
    label = "core"
