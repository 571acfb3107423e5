from typing import Any

from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "jiritsu.programs"
    label = "programs"

    def ready(self) -> None:
        from jiritsu.core import labels
        from jiritsu.programs.screening import describe_rules

        # A program's selection rules in the audit log: the screening engine's own sentences.
        def rules_text(rules: dict[str, Any]) -> str:
            joiner = " かつ " if rules.get("op", "and") == "and" else " または "
            return joiner.join(describe_rules(rules)) or "条件なし"

        labels.register_value_formatter("rules", rules_text)
