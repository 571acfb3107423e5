"""Form pieces shared by every app: 和暦-aware dates, optimistic-lock version field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from django import forms

from jiritsu.core import wareki


class JapaneseDateField(forms.DateField):
    """Accepts 2026-11-26, 2026/11/26, R8.11.26, 令和8年11月26日, 令和元年5月1日."""

    widget = forms.TextInput(attrs={"placeholder": "例: 令和8年11月26日 または R8.11.26",
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
        """A date shown in the field is in 和暦, like the labels beside it (input in either)."""
        if isinstance(value, dt.date):
            return wareki.format_wareki(value)
        return value


class VersionedForm(forms.Form):
    """Carries the row version the user loaded so a stale save reports a conflict."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    required_css_class = "required"


_Field = TypeVar("_Field", bound=forms.Field)


def form_field(form: forms.BaseForm, name: str, kind: type[_Field]) -> _Field:
    """The form's own (bound) copy of field ``name``, typed as ``kind`` — for setting the
    choices or queryset that depend on the office after ``__init__``. A field of another
    kind is a programming error."""
    field = form.fields[name]
    if not isinstance(field, kind):
        raise TypeError(f"{type(form).__name__}.{name} is a {type(field).__name__}, "
                        f"not a {kind.__name__}")
    return field


def label_options(field: forms.ModelChoiceField[Any], label: Callable[[Any], str]) -> None:
    """Label ``field``'s options with ``label(row)`` instead of ``str(row)``, for this form
    instance only (Django's ``label_from_instance``, replaced on the bound copy)."""
    setattr(field, "label_from_instance", label)  # noqa: B010 - an instance attribute on purpose
