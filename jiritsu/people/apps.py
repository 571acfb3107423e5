from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "jiritsu.people"
    label = "people"
