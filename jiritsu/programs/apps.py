from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "jiritsu.programs"
    label = "programs"

    def ready(self) -> None:
        from jiritsu.programs import next_review
        from jiritsu.programs.services import enrollments

        next_review.connect()
        enrollments.connect()
