from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "jiritsu.programs"
    label = "programs"
