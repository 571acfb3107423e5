from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "jiritsu.documents"
    label = "documents"
    verbose_name = "帳票・添付書類"
