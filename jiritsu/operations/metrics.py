"""Prometheus metrics at ``/metrics``: requests by view and status, latency, database queries
per request, and the scheduled jobs (runs by result, last success, late). Only counts and
durations, labelled by route name — never an id or a name.

Access: the endpoint answers only a request bearing ``Authorization: Bearer
<JIRITSU_METRICS_TOKEN>``; without that setting it does not exist (404). With several gunicorn
workers, ``PROMETHEUS_MULTIPROC_DIR`` (set by the systemd unit) sums the workers' figures.
"""

from __future__ import annotations

import hmac
import os
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, Max
from django.http import Http404, HttpRequest, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from jiritsu.operations.jobs import job_states
from jiritsu.operations.models import JobRun

REQUESTS = Counter("jiritsu_http_requests_total", "HTTP requests answered",
                   ["method", "view", "status"])
LATENCY = Histogram("jiritsu_http_request_duration_seconds", "Time to answer a request",
                    ["view"], buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
QUERIES = Counter("jiritsu_db_queries_total", "Database queries run while answering requests",
                  ["view"])


def _view_name(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return (match.view_name or "other") if match is not None else "unmatched"


class MetricsMiddleware:
    """Counts each request, its duration and its database queries."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        queries = 0

        def count(execute: Callable[..., Any], sql: str, params: Any, many: bool,
                  context: Any) -> Any:
            nonlocal queries
            queries += 1
            return execute(sql, params, many, context)

        started = time.perf_counter()
        with connection.execute_wrapper(count):
            response = self.get_response(request)
        view = _view_name(request)
        REQUESTS.labels(request.method or "", view, str(response.status_code)).inc()
        LATENCY.labels(view).observe(time.perf_counter() - started)
        if queries:
            QUERIES.labels(view).inc(queries)
        return response


class JobCollector(Collector):
    """The scheduled jobs, read from their records at each scrape (the jobs run in processes
    of their own, started by systemd timers)."""

    def collect(self) -> Iterator[Any]:
        runs = CounterMetricFamily("jiritsu_job_runs", "Recorded runs of a scheduled job",
                                   labels=["job", "result"])
        for row in JobRun.objects.values("job", "status").annotate(n=Count("id")):
            runs.add_metric([row["job"], row["status"]], row["n"])
        yield runs
        last = GaugeMetricFamily("jiritsu_job_last_success_timestamp_seconds",
                                 "When the job last ended successfully (Unix time)",
                                 labels=["job"])
        for row in (JobRun.objects.filter(status=JobRun.Status.SUCCEEDED).values("job")
                    .annotate(at=Max("finished_at"))):
            if row["at"] is not None:
                last.add_metric([row["job"]], row["at"].timestamp())
        yield last
        problem = GaugeMetricFamily("jiritsu_job_problem",
                                    "1 when the job's last run failed or it is late",
                                    labels=["job"])
        for state in job_states():
            problem.add_metric([state.job.name], 1 if state.problem else 0)
        yield problem


def _authorised(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    if not token:
        raise Http404
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    return hmac.compare_digest(given.encode(), token.encode())


def metrics_view(request: HttpRequest) -> HttpResponse:
    if not _authorised(request):
        return HttpResponse("Unauthorized", status=401, content_type="text/plain",
                            headers={"WWW-Authenticate": "Bearer"})
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    jobs = CollectorRegistry(auto_describe=False)
    jobs.register(JobCollector())
    body = generate_latest(registry) + generate_latest(jobs)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
