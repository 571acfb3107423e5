from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "jiritsu.casework"
    label = "casework"
    verbose_name = "ケースワーク（訪問計画・供覧・業務一覧・お知らせ）"
