from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "jiritsu.api"
    label = "api"
