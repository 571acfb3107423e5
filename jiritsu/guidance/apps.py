from django.apps import AppConfig


class GuidanceConfig(AppConfig):
    name = "jiritsu.guidance"
    label = "guidance"

    def ready(self) -> None:
        # A 法62条 decision's 決裁 is a kind of the one 決裁 mechanism (cases).
        from jiritsu.guidance import decisions

        decisions.register()
