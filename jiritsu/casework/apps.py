from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "jiritsu.casework"
    label = "casework"
    verbose_name = "ケースワーク（訪問計画・供覧・業務一覧・お知らせ）"

    def ready(self) -> None:
        # The seal column (供覧欄) on the person's timeline: cases lists the records, this
        # app knows who confirmed them. Wired here, once the apps are loaded.
        from jiritsu.cases import timeline
        from jiritsu.casework.confirm import seal_timeline

        if seal_timeline not in timeline.RECORD_ANNOTATORS:
            timeline.RECORD_ANNOTATORS.append(seal_timeline)
