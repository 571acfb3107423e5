from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "jiritsu.audit"
    label = "audit"
