from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "jiritsu.activities"
    label = "activities"

    def ready(self) -> None:
        # 清洲: an episode's path menu follows the route decided after the first interview
        # (a menu rule of cases' one menu change).
        from jiritsu.activities import work_capacity

        work_capacity.register()
