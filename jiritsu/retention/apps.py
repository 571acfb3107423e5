from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "jiritsu.retention"
    label = "retention"
    verbose_name = "保存年限と削除"

    def ready(self) -> None:
        # A deletion batch's 決裁 is a kind of the one 決裁 mechanism (cases).
        from jiritsu.retention import services

        services.register()
