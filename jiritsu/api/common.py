"""Shared pieces of the API: the acting membership, ids, pagination, error schemas."""

from __future__ import annotations

import datetime as dt
import re
import types
import typing
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, TypeVar
from urllib.parse import quote

import annotated_types
from django.db.models import QuerySet
from django.http import HttpResponse
from ninja import Field, Schema
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, create_model

from jiritsu.api.http import ApiRequest
from jiritsu.cases.access import get_person_for_user
from jiritsu.core.errors import DomainError, Forbidden, NotFound
from jiritsu.offices.models import Membership

# The range of the database's integer columns (PostgreSQL ``integer``).
INT_MIN = -2_147_483_648
INT_MAX = 2_147_483_647
# Primary keys in paths and bodies: positive and within a 32-bit signed integer, so that
# a wild value is a validation error rather than a database overflow.
Id = Annotated[int, Field(ge=1, le=INT_MAX)]
EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2100, 12, 31)


def _in_range(value: Any) -> Any:
    day = value.date() if isinstance(value, dt.datetime) else value
    if not EARLIEST <= day <= LATEST:
        raise ValueError("1900年1月1日から2100年12月31日までの日付を入力してください。")
    return value


# Dates and times in input: within a range the wareki helpers and the database handle.
Day = Annotated[dt.date, AfterValidator(_in_range)]
Moment = Annotated[dt.datetime, AfterValidator(_in_range)]


def _date_alone(value: Any) -> Any:
    """``YYYY-MM-DD`` stays a date (pydantic would read it as midnight)."""
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        return dt.date.fromisoformat(value.strip())
    return value


# A moment whose time of day may be unknown: a date alone (``2026-12-04``) or a date-time.
DayOrMoment = Annotated[dt.datetime | dt.date, BeforeValidator(_date_alone),
                        AfterValidator(_in_range)]
MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50


def _plain_int(annotation: Any) -> bool:
    """``int`` or ``int | None`` (an ``Annotated`` integer already carries its own bounds)."""
    if annotation is int:
        return True
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        args = typing.get_args(annotation)
        return int in args and all(a is int or a is type(None) for a in args)
    return False


_ColumnInt = Annotated[int, Field(ge=INT_MIN, le=INT_MAX)]


def _bounded_items(annotation: Any) -> Any:
    """``list[int]`` → ``list[<int within a column's range>]`` (also inside ``| None``);
    None if there is no bare ``int`` item to bound."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is list and args == (int,):
        return list[_ColumnInt]
    if isinstance(annotation, types.UnionType) or origin is typing.Union:
        new = [_bounded_items(a) for a in args]
        if any(n is not None for n in new):
            out = new[0] if new[0] is not None else args[0]
            for n, a in zip(new[1:], args[1:], strict=True):
                out = out | (n if n is not None else a)
            return out
    return None


class InputModel(BaseModel):
    """The base of every request body: the API's input rules in one place.

    * Unknown fields are refused (``422 validation_error``, ``field`` naming the unknown
      field, detail code ``extra_forbidden``), not silently ignored.
    * An integer field without its own bounds is bounded to the range of an integer column
      (``INT_MIN``..``INT_MAX``), so that a number past a column's range is a ``422`` rather
      than a database overflow. A field stored in a narrower column states its own bounds.
    """

    model_config = ConfigDict(extra="forbid")

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        changed = False
        for field in cls.model_fields.values():
            items = _bounded_items(field.annotation)
            if items is not None:
                field.annotation = items
                changed = True
            if not _plain_int(field.annotation):
                continue
            kinds = {type(m) for m in field.metadata}
            if not kinds & {annotated_types.Le, annotated_types.Lt}:
                field.metadata.append(annotated_types.Le(INT_MAX))
                changed = True
            if not kinds & {annotated_types.Ge, annotated_types.Gt}:
                field.metadata.append(annotated_types.Ge(INT_MIN))
                changed = True
        if changed:
            cls.model_rebuild(force=True)


def label_of(field: str) -> Any:
    """A resolver for an output's ``<field>_label``: the choice's Japanese label
    (``get_<field>_display()``). Use as ``resolve_kind_label = label_of("kind")``."""
    return staticmethod(lambda obj: str(getattr(obj, f"get_{field}_display")()))


class Extended:
    """A record with values an operation adds that are not on the record (a token's secret,
    shown once): an output schema reads those first and everything else from the record,
    through its resolvers as usual. ``Extended(token, token=raw)``."""

    def __init__(self, record: Any, **values: Any) -> None:
        self._record = record
        self.__dict__.update(values)

    def __getattr__(self, name: str) -> Any:
        if name == "_record":
            raise AttributeError(name)
        return getattr(self._record, name)


class InputSchema(Schema, InputModel):
    """A request body (ninja ``Schema``, reads attributes too) with the rules of ``InputModel``."""


def acting(request: ApiRequest, action: str | None = None) -> Membership:
    """The membership the request acts in; 403 if there is none or the role lacks ``action``.

    The API's one door to the acting membership: ``request.membership`` is typed
    ``Membership | None`` (``ApiRequest``), and this gives back a ``Membership``."""
    membership = request.membership
    if membership is None:
        raise Forbidden("有効な事務所の所属がありません。")
    if action is not None and not membership.can(action):
        raise Forbidden()
    return membership


@contextmanager
def renamed_fields(names: dict[str, str]) -> Iterator[None]:
    """Report a service's field names as the API's (e.g. ``caseworker`` → ``caseworker_id``)."""
    try:
        yield
    except DomainError as exc:
        if exc.field in names:
            exc.field = names[exc.field]
        raise


class ErrorDetail(Schema):
    field: str | None = None
    code: str | None = None
    message: str


class ErrorBody(Schema):
    code: str = Field(..., description="Stable machine-readable code, e.g. validation_error, not_found")
    message: str = Field(..., description="Japanese message for people")
    field: str | None = Field(None, description="The input field the error is about, if any")
    details: list[dict[str, Any]] | None = None


class ErrorOut(Schema):
    error: ErrorBody


ERRORS: dict[int, type[Schema]] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut,
                                   409: ErrorOut, 422: ErrorOut}


def responses(ok: dict[int, Any] | Any, status: int = 200) -> dict[int, Any]:
    """``{status: schema}`` plus the documented error responses."""
    out: dict[int, Any] = dict(ERRORS)
    if isinstance(ok, dict):
        out.update(ok)
    else:
        out[status] = ok
    return out


class PageParams(Schema):
    page: int = Field(1, ge=1, le=1_000_000, description="1から始まるページ番号")
    page_size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE,
                           description=f"1ページの件数（最大{MAX_PAGE_SIZE}）")


_PAGES: dict[type, type[Schema]] = {}
T = TypeVar("T")


def page_of(item: type[Schema]) -> type[Schema]:
    """A named page schema for ``item``: count, next, previous, results."""
    if item not in _PAGES:
        name = item.__name__.removesuffix("Out") + "Page"
        _PAGES[item] = create_model(
            name,
            __base__=Schema,
            count=(int, ...),
            next=(str | None, None),
            previous=(str | None, None),
            results=(list[item], ...),  # type: ignore[valid-type]
        )
    return _PAGES[item]


def _page_url(request: ApiRequest, page: int) -> str:
    query = request.GET.copy()
    query["page"] = str(page)
    return f"{request.path}?{query.urlencode()}"


def paginate(request: ApiRequest, items: QuerySet[Any] | list[Any], params: PageParams,
             convert: Any = None) -> dict[str, Any]:
    """Slice a queryset (or list) into one page; ``convert`` maps each row to its output."""
    count = items.count() if isinstance(items, QuerySet) else len(items)
    start = (params.page - 1) * params.page_size
    rows = list(items[start:start + params.page_size])
    if convert is not None:
        rows = [convert(r) for r in rows]
    return {
        "count": count,
        "next": _page_url(request, params.page + 1) if start + params.page_size < count else None,
        "previous": _page_url(request, params.page - 1) if params.page > 1 and start - params.page_size < count else None,
        "results": rows,
    }


# ---------------------------------------------------------------- file downloads

FILE_MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
    "pdf": "application/pdf",
    "zip": "application/zip",
    "json": "application/json",
}


def file_operation(*media_types: str, description: str) -> dict[str, Any]:
    """``openapi_extra`` for an operation whose 200 answer is a file (binary body)."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    content = {m: (dict(binary) if m != "application/json" else {"schema": {"type": "object"}})
               for m in media_types}
    return {"responses": {200: {
        "description": description, "content": content,
        "headers": {"Content-Disposition": {
            "description": "attachment; filename=…（ファイル名）", "schema": {"type": "string"}}},
    }}}


def download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    """A file answer: the bytes, their media type and the file name (UTF-8 encoded for
    names that are not ASCII)."""
    response = HttpResponse(content, content_type=content_type)
    if filename.isascii():
        disposition = f'attachment; filename="{filename}"'
    else:
        disposition = f"attachment; filename*=UTF-8''{quote(filename)}"
    response["Content-Disposition"] = disposition
    return response


# ---------------------------------------------------------------- references in input

def ref(qs: QuerySet[Any], pk: int | None, field: str) -> Any:
    """The row with this id among those the screen would offer (``qs`` is already limited
    to the office and what the caller may pick), or a 404 naming the input field."""
    if pk is None:
        return None
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise NotFound(field=field)
    return obj


def person_ref(m: Membership, pk: int, field: str = "person_id") -> Any:
    """A person the membership may see (as on the person page), or a 404 naming the field."""
    from django.http import Http404

    try:
        return get_person_for_user(m, pk)
    except Http404:
        raise NotFound(field=field) from None
