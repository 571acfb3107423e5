from django.apps import AppConfig


class MergingConfig(AppConfig):
    name = "jiritsu.merging"
    label = "merging"
    verbose_name = "名寄せ（同一人物の記録の統合）"
