"""Form pieces shared by every app: 和暦-aware dates, optimistic-lock version field."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from jiritsu.core import wareki


class JapaneseDateField(forms.DateField):
    """Accepts 2026-11-26, 2026/11/26, R8.11.26, 令和8年11月26日, 令和元年5月1日."""

    widget = forms.TextInput(attrs={"placeholder": "例: 2026-11-26 または R8.11.26",
                                    "inputmode": "numeric", "autocomplete": "off"})
    default_error_messages = {"required": "日付を入力してください。"}

    def to_python(self, value: Any) -> dt.date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return wareki.parse_date(str(value))
        except ValueError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from None

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dt.date):
            return value.isoformat()
        return value


class VersionedForm(forms.Form):
    """Carries the row version the user loaded so a stale save reports a conflict."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    required_css_class = "required"
