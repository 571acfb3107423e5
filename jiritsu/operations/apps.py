from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "jiritsu.operations"
    label = "operations"
    verbose_name = "運用"
