from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "jiritsu.programs"
    label = "programs"

    def ready(self) -> None:
        from jiritsu.programs import next_review

        next_review.connect()
