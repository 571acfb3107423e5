from django.apps import AppConfig


class MergingConfig(AppConfig):
    name = "jiritsu.merging"
    label = "merging"
    verbose_name = "名寄せ（同一人物の記録の統合）"

    def ready(self) -> None:
        # The person page's line about merges: cases shows the page, this app knows the
        # merges. Wired here, once the apps are loaded.
        from jiritsu.merging import person_notes

        person_notes.connect()
