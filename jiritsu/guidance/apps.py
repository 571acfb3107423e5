from django.apps import AppConfig


class GuidanceConfig(AppConfig):
    name = "jiritsu.guidance"
    label = "guidance"
