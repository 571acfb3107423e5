from django.apps import AppConfig


class OfficesConfig(AppConfig):
    name = "jiritsu.offices"
    label = "offices"
