"""A server process made ready before it serves: what every gunicorn worker would otherwise do
on its first requests, done once in the master before it forks the workers
(``preload_app``, gunicorn.conf.py; called by jiritsu.wsgi).

- The URL configuration is imported: every view and the API's schemas, ≈ 1.7 s of CPU that
  each worker spent on its first request — at start and again each time it is replaced
  after ``max_requests`` (2,000) requests, ≈ 1 ms a request on average.
- The app's templates are compiled (the cached loader keeps them).
- ``gc.freeze()``: everything loaded so far (modules, URL patterns, templates) is left out of
  the garbage collector's full collections, which otherwise walk it all again and again
  while serving (a first full collection after the templates cost ≈ 0.2 s), and the
  workers' copies of those pages stay shared with the master.
"""

from __future__ import annotations

import gc
from pathlib import Path


def warm_up() -> None:
    from django.apps import apps
    from django.template import TemplateDoesNotExist, TemplateSyntaxError, engines
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports the URL configuration
    engine = engines["django"]
    for app in apps.get_app_configs():
        if not app.name.startswith("jiritsu."):
            continue
        folder = Path(app.path) / "templates"
        for path in sorted(folder.rglob("*.html")) if folder.is_dir() else ():
            try:
                engine.get_template(path.relative_to(folder).as_posix())
            except (TemplateDoesNotExist, TemplateSyntaxError):  # met again where it is used
                continue
    gc.collect()
    gc.freeze()
