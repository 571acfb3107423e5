from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "jiritsu.activities"
    label = "activities"
