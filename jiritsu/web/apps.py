from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "jiritsu.web"
    label = "web"
