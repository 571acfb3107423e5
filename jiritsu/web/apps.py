from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "jiritsu.web"
    label = "web"

    def ready(self) -> None:
        # Imported here, not at the top: Django loads app configs before models, and
        # ``ready`` is the documented place to wire apps together once they are loaded.
        from jiritsu.cases import timeline
        from jiritsu.web.guidance_timeline import guidance_entries

        if guidance_entries not in timeline.EXTRA_SOURCES:
            timeline.EXTRA_SOURCES.append(guidance_entries)
