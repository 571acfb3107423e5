from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "jiritsu.cases"
    label = "cases"
    verbose_name = "ケース（プログラムへの参加）"

    def ready(self) -> None:
        from jiritsu.cases import next_review
        from jiritsu.cases.services import enrollments

        next_review.connect()
        enrollments.connect()
