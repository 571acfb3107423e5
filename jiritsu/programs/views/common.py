"""What the program screens share: the acting membership, refusals beside their field, today."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from jiritsu.core import clock
from jiritsu.core.errors import DomainError
from jiritsu.offices.http import OfficeRequest
from jiritsu.offices.models import Membership

PROFESSIONS = dict(Membership.Profession.choices)


def acting_membership(request: OfficeRequest) -> Any:
    return request.membership


def form_error(form: forms.Form, exc: DomainError) -> None:
    """Put a refusal beside its field when the form has one, else at the top."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


def today() -> dt.date:
    return clock.today()


def page_number(raw: str) -> int:
    return max(int(raw), 1) if raw.isdigit() else 1
