"""The office's own settings: the head printed on documents, document numbers, retention."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from jiritsu.offices.models import validate_document_number_format
from jiritsu.testing import make_office


@pytest.mark.parametrize("fmt, year, expected", [
    ("福第{number}号", None, "福第12号"),
    ("清福第{number}号", 7, "清福第12号"),
    ("{year}福第{number}号", 7, "7福第12号"),
    ("福第{number:04}号", None, "福第0012号"),
])
def test_document_number_is_filled_from_the_office_format(db: Any, fmt: str, year: int | None,
                                                          expected: str) -> None:
    office = make_office(document_number_format=fmt)
    assert office.format_document_number(12, year=year) == expected


@pytest.mark.parametrize("fmt", ["福第号", "{name}第{number}号", "福第{number号", "{0}{number}",
                                 "{number:>999999999}", "{number!r}", "{year:04}{number}",
                                 "{number.real}", "{number[0]}"])
def test_a_format_without_the_number_or_with_unknown_fields_is_refused(fmt: str) -> None:
    with pytest.raises(ValidationError):
        validate_document_number_format(fmt)


def test_new_office_has_defaults_for_head_and_retention(db: Any) -> None:
    office = make_office()
    assert office.head_title == "福祉事務所長"
    assert office.record_retention_years == 5
    assert office.log_retention_days == 400
