"""Logs as JSON lines (structlog): every record — the app's, Django's, gunicorn's error log
through the root logger — becomes one JSON object with a timestamp, level, logger, event
and the request's context (request id, user id, office code) when there is one."""

from __future__ import annotations

import sys
import traceback
from typing import Any

import structlog

SHARED_PROCESSORS: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def exception_without_message(logger: Any, name: str, event: dict[str, Any]) -> dict[str, Any]:
    """Like structlog's ``format_exc_info``, but the traceback keeps only the exception types
    and where they were raised (file, line, function): a message can quote a row's values (a name, an address, a
    constraint's key), so it does not go into the log."""
    exc_info = event.pop("exc_info", None)
    if exc_info is True:
        exc_info = sys.exc_info()
    if isinstance(exc_info, BaseException):
        exc_info = (type(exc_info), exc_info, exc_info.__traceback__)
    if not exc_info or not isinstance(exc_info, tuple) or exc_info[1] is None:
        return event
    parts: list[str] = []
    exc: BaseException | None = exc_info[1]
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        # File, line and function only: the source line may quote data too (a literal).
        frames = "".join(f'  File "{f.filename}", line {f.lineno}, in {f.name}\n'
                         for f in traceback.extract_tb(exc.__traceback__))
        parts.insert(0, f"Traceback (most recent call last):\n{frames}"
                        f"{type(exc).__module__}.{type(exc).__qualname__} (message withheld)")
        exc = exc.__cause__ or exc.__context__
    event["exception"] = "\n\nDuring handling, another exception:\n".join(parts)
    return event


def configure_structlog() -> None:
    structlog.configure(
        processors=[*SHARED_PROCESSORS, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def logging_config(level: str, *, json_lines: bool = True) -> dict[str, Any]:
    """The LOGGING setting: one console handler, JSON (or readable text for development)."""
    renderer = (structlog.processors.JSONRenderer(ensure_ascii=False) if json_lines
                else structlog.dev.ConsoleRenderer(colors=False))
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "structured": {
                "()": structlog.stdlib.ProcessorFormatter,
                "processors": [
                    structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    exception_without_message,
                    renderer,
                ],
                "foreign_pre_chain": SHARED_PROCESSORS,
            },
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # One line per request comes from jiritsu.request; Django's own 4xx warnings
            # would repeat it.
            "django.request": {"level": "ERROR"},
            "jiritsu.request": {"level": level},
        },
    }
