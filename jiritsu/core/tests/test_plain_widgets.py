"""Widgets written in Python (jiritsu.core.forms) give Django's template markup exactly,
every value escaped — for the timeline's filters drawn on every view of a person."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms

from jiritsu.cases.timeline import TimelineFilterForm
from jiritsu.core.forms import PlainSelect, PlainTextInput

CHOICES: list[Any] = [("", "すべて"), ("a<b", 'A & "B"'), (3, "三"),
                      ("組<", [(1, "<一>"), ("2", "二")])]


@pytest.mark.parametrize("value", ["", "a<b", 3, "2", None, ["1", "a<b"], "not-there"])
def test_select_is_djangos_markup(value: Any) -> None:
    attrs = {"id": "id_k<", "required": True, "disabled": False, "aria-describedby": 'x"y'}
    django = forms.Select(choices=CHOICES, attrs={"class": "c&d"}).render("k", value, attrs)
    plain = PlainSelect(choices=CHOICES, attrs={"class": "c&d"}).render("k", value, attrs)
    assert plain == django
    assert "<一>" not in plain and "&lt;一&gt;" in plain


@pytest.mark.parametrize("value", ["", "R8.4.1", '"><script>', None, 12])
def test_text_input_is_djangos_markup(value: Any) -> None:
    attrs = {"placeholder": "R8.4.1 / 2026-04-01", "size": 12, "autocomplete": "off"}
    django = forms.TextInput(attrs=attrs).render("d", value, {"id": "id_d", "required": True})
    plain = PlainTextInput(attrs=attrs).render("d", value, {"id": "id_d", "required": True})
    assert plain == django
    assert "<script>" not in plain


def test_the_timeline_filter_form_renders_as_with_djangos_widgets() -> None:
    data = {"kind": "record", "program": "7", "date_from": "令和99年", "date_to": "R8.4.1"}
    programs = [(7, "就労<支援>"), (8, "日常生活")]
    plain = TimelineFilterForm(data, programs=programs)
    django = TimelineFilterForm(data, programs=programs)
    for field in django.fields.values():
        widget = forms.TextInput if isinstance(field.widget, forms.TextInput) else forms.Select
        copy = widget(attrs=field.widget.attrs)
        if isinstance(copy, forms.Select):
            copy.choices = field.widget.choices
        field.widget = copy
    assert [str(f) for f in plain] == [str(f) for f in django]
    assert plain.errors and "date_from" in plain.errors  # errors shown as before
