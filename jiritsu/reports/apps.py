from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "jiritsu.reports"
    label = "reports"
