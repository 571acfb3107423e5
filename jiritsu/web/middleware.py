"""Screens: a NUL character (U+0000) in the query string is a 400, never a 500.

PostgreSQL cannot store or compare text holding NUL, so ``/search/?q=%00`` would fail in
the database. Form fields refuse NUL themselves (Django's ProhibitNullCharactersValidator);
the query string is checked here, once for every screen. The API (``/api/v1/``) answers
its own 422 naming the field (``jiritsu.api.middleware``).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jiritsu.core.http import API_PREFIX, NUL


class NulQueryMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX) and (
                NUL in request.path_info
                or any(NUL in k or any(NUL in v for v in vs) for k, vs in request.GET.lists())):
            return render(request, "400.html", status=400)
        return self.get_response(request)
