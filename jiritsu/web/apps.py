from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "jiritsu.web"
    label = "web"

    def ready(self) -> None:
        from jiritsu.people import timeline
        from jiritsu.web.guidance_timeline import guidance_entries

        if guidance_entries not in timeline.EXTRA_SOURCES:
            timeline.EXTRA_SOURCES.append(guidance_entries)
