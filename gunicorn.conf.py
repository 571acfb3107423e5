"""gunicorn settings for a Jiritsu server: `gunicorn -c gunicorn.conf.py jiritsu.wsgi`.

Everything can be changed by environment variable (the systemd unit's EnvironmentFile,
docs/operations.md) without editing this file.
"""

from __future__ import annotations

import os

# Loopback by default: a reverse proxy (nginx, docs/operations.md) ends TLS in front.
bind = os.environ.get("JIRITSU_BIND", "127.0.0.1:8000")
# Synchronous workers, (2 × cores) + 1 as gunicorn recommends: requests wait on the database,
# not on the CPU. Each worker keeps its own database pool (JIRITSU_DB_POOL_MAX connections at
# most): workers × pool size must stay below PostgreSQL's max_connections.
workers = int(os.environ.get("JIRITSU_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
worker_class = "sync"
# A report or a PDF may take a few seconds; a request past this is killed and logged.
timeout = int(os.environ.get("JIRITSU_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then (jitter keeps them from restarting together) so that memory
# held by one large export does not stay with the worker.
max_requests = int(os.environ.get("JIRITSU_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# Load the app before forking: a broken configuration stops the service at once (systemd
# shows it) instead of every worker failing, and the workers share the loaded code.
preload_app = True
# The access log goes to standard output (the journal) as one JSON object a line, like the
# app's own logs; no query strings (search words may be names), no cookies.
accesslog = os.environ.get("JIRITSU_ACCESS_LOG", "-")
access_log_format = (
    '{"event": "access", "remote": "%(h)s", "method": "%(m)s", "path": "%(U)s", '
    '"status": %(s)s, "bytes": "%(B)s", "duration_ms": %(M)s, '
    '"request_id": "%({x-request-id}o)s"}'
)
errorlog = "-"
loglevel = os.environ.get("JIRITSU_GUNICORN_LOG_LEVEL", "info")
# Behind the reverse proxy on the same machine: trust its X-Forwarded-* headers only.
forwarded_allow_ips = os.environ.get("JIRITSU_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proc_name = "jiritsu"


def child_exit(server: object, worker: object) -> None:
    # Metrics of several workers are summed through files (prometheus_client's multiprocess
    # mode) when PROMETHEUS_MULTIPROC_DIR is set (docs/operations.md); a dead worker's go.
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(getattr(worker, "pid", 0))
