from django import forms
from django.apps import AppConfig

REQUIRED_MESSAGE = "必須の項目です。入力（選択）してください。"


class CoreConfig(AppConfig):
    name = "jiritsu.core"
    label = "core"

    def ready(self) -> None:
        from jiritsu.core import lookups  # noqa: F401  (registers ``__any``)

        # One Japanese message for a missing required value, beside the field, instead of
        # Django's generic 「このフィールドは必須です。」 (fields with their own keep theirs).
        forms.Field.default_error_messages["required"] = REQUIRED_MESSAGE
